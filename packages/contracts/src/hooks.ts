import { z } from 'zod';
import { RiskTierSchema, TaskStatusSchema, TeamModeSchema } from './entities';

/**
 * What a lifecycle hook can be about. Each has a `Pre` event, a gate that runs before the
 * operation and may block it, and a `Post` event, a notice that runs after it and never blocks.
 */
export const HOOK_SUBJECTS = [
  'TeamStart',
  'TeamFinalize',
  'TeamResume',
  'AgentSpawn',
  'AgentJoin',
  'TaskCreate',
  'TaskClaim',
  'TaskComplete',
  'TaskRelease',
  'MessageSend',
  'ModeChange',
  'RecoveryAction',
  'TeammateIdle',
] as const;
export type HookSubject = (typeof HOOK_SUBJECTS)[number];

/** `pre`: a gate (may block); `post`: a notice (never blocks). */
export type HookPhase = 'pre' | 'post';

/** Every hook event name, `Pre<Subject>` and `Post<Subject>`, in subject order. */
export const HOOK_EVENT_NAMES = HOOK_SUBJECTS.flatMap((subject) => [`Pre${subject}`, `Post${subject}`] as const);
export type HookEventName = `Pre${HookSubject}` | `Post${HookSubject}`;

/** A hook's timeout when it sets none, in seconds. */
export const HOOK_TIMEOUT_DEFAULT_S = 30;
/** The longest timeout a hook may set, in seconds. */
export const HOOK_TIMEOUT_MAX_S = 600;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * A command hook: run with `/bin/sh -c`, the event as JSON on stdin. Exit 0 allows (or answers
 * with JSON on stdout), exit 2 blocks with stderr as the reason, anything else is a failure.
 */
export const CommandHookSchema = z.strictObject({
  type: z.literal('command', 'must be "command"'),
  command: z.string('must be text').min(1, 'must not be empty').max(4_096, 'must be at most 4096 characters'),
  /** Seconds before the hook's whole process group is killed and the hook counts as failed. @default 30 */
  timeout: z
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(HOOK_TIMEOUT_MAX_S, `must be at most ${HOOK_TIMEOUT_MAX_S} seconds`)
    .optional(),
  /**
   * What a failure (timeout, crash, exit other than 0 or 2, bad output) means for a Pre event:
   * `block` (fail closed) or `allow`. A Post event is never blocked. @default block
   */
  on_failure: z.enum(['block', 'allow'], 'must be "block" or "allow"').optional(),
  /** How the hook is named in blocks, audit rows and logs. @default its place in the file */
  name: z
    .string('must be text')
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dot, underscore or dash')
    .optional(),
});
export type CommandHook = z.infer<typeof CommandHookSchema>;

/** Hooks of one event that run for the agents whose role the matcher matches. */
export const HookMatcherGroupSchema = z.strictObject({
  /** A regular expression over the acting agent's role, matched whole; empty or `*`: every role. */
  matcher: z
    .string('must be text')
    .max(200, 'must be at most 200 characters')
    .refine(compiles, 'must be a valid regular expression')
    .optional(),
  hooks: z.array(CommandHookSchema, 'must be a list').min(1, 'must hold at least one hook').max(20, 'must hold at most 20 hooks'),
});
export type HookMatcherGroup = z.infer<typeof HookMatcherGroupSchema>;

/** Event name -> matcher groups: the three-level shape of Codex's hooks.json (`hooks` inside it). */
export const HooksConfigSchema = z.strictObject(
  Object.fromEntries(
    HOOK_EVENT_NAMES.map((name) => [name, z.array(HookMatcherGroupSchema, 'must be a list').max(20, 'must hold at most 20 groups').optional()]),
  ) as Record<HookEventName, z.ZodOptional<z.ZodArray<typeof HookMatcherGroupSchema>>>,
);
export type HooksConfig = Partial<Record<HookEventName, HookMatcherGroup[]>>;

/** A hooks file (`--hooks FILE`): `{"hooks": {...}}`, like Codex's hooks.json; JSON or YAML. */
export const HooksFileSchema = z.strictObject({ hooks: HooksConfigSchema });

/**
 * A command hook's JSON answer on stdout (exit 0). `block` (or `deny`) blocks with `reason`;
 * `allow` (or `approve`) or no decision allows. `additional_context` is added to a block's reason
 * and logged with an allow. Other keys (Codex's and Claude Code's) are ignored.
 */
export const HookAnswerSchema = z.object({
  decision: z.enum(['allow', 'approve', 'block', 'deny']).optional(),
  reason: z.string().max(4_000).optional(),
  additional_context: z.string().max(4_000).optional(),
});
export type HookAnswer = z.infer<typeof HookAnswerSchema>;

/** What a command hook reads on stdin: one JSON document, secrets masked. */
export const HookInputSchema = z.strictObject({
  hook_event_name: z.string().describe('e.g. PreTaskComplete'),
  tool: z.string().nullable().describe('the tool whose call raised the event; null for a recovery sweep'),
  team: z
    .strictObject({
      id: z.string(),
      name: z.string(),
      profile: z.string(),
      mode: TeamModeSchema,
      parent_team_id: z.string().optional().describe('a child team only: the team it works for (docs/hierarchy.md)'),
    })
    .nullable()
    .describe('the team the call acts in (a child team when its `team` argument names one); null before team_start has made the team'),
  agent: z
    .strictObject({ id: z.string(), name: z.string(), role: z.string() })
    .nullable()
    .describe('the acting agent; null for team_start before it binds, and recovery sweeps'),
  task: z
    .strictObject({
      id: z.string(),
      title: z.string(),
      status: TaskStatusSchema,
      risk: RiskTierSchema,
      required_role: z.string().nullable(),
      owner_agent_id: z.string().nullable(),
      fence: z.number().int(),
    })
    .nullable()
    .describe('the task the call is about, as it is before a Pre event and after a Post event'),
  input: z.record(z.string(), z.unknown()).describe("the call's arguments, secrets and tickets masked; RecoveryAction: the step (kind, action, subject_id, rule, reason)"),
  output: z.record(z.string(), z.unknown()).nullable().describe('Post events: the answer, secrets and tickets masked'),
});
export type HookInput = z.infer<typeof HookInputSchema>;
