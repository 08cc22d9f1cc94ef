import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * Server-made ids: a short type prefix, an underscore and lowercase base32. No description: the
 * field names say which id (task_id, owner_agent_id...), and a description would ride on every
 * model turn; a malformed id is refused with `must be a tk_ id`.
 */
const idOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[a-z2-7]{8,32}$`), `must be a ${prefix}_ id`);

export const TeamIdSchema = idOf('tm');
export const AgentIdSchema = idOf('ag');
export const TaskIdSchema = idOf('tk');
export const MessageIdSchema = idOf('ms');
export const ArtifactIdSchema = idOf('af');
export type TeamId = z.infer<typeof TeamIdSchema>;
export type AgentId = z.infer<typeof AgentIdSchema>;
export type TaskId = z.infer<typeof TaskIdSchema>;
export type MessageId = z.infer<typeof MessageIdSchema>;
export type ArtifactId = z.infer<typeof ArtifactIdSchema>;

/** The id prefixes the IdGenerator is asked for. */
export const ID_PREFIXES = ['tm', 'ag', 'tk', 'ms', 'af'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/** ISO-8601 UTC timestamp as produced by `Date#toISOString`. */
export const TimestampSchema = z.iso.datetime();

/** Human-facing names: agents, teams. Printable, no path separators or control characters. */
export const NameSchema = z
  .string()
  .min(1)
  .max(LIMITS.nameMaxChars)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, dot, underscore or dash');

/** A role is a short lowercase word; the role catalog gives meaning to the known ones. */
export const RoleSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, underscore or dash');
export type Role = z.infer<typeof RoleSchema>;

/**
 * A permission profile's name: a plain lowercase identifier, like a policy profile's name, so it
 * reads the same in YAML, in `team_spawn` and in the audit trail.
 */
export const PermissionProfileNameSchema = z
  .string('must be text')
  .min(1, 'must not be empty')
  .max(32, 'must be at most 32 characters')
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits or "-", starting with a letter');
export type PermissionProfileName = z.infer<typeof PermissionProfileNameSchema>;

/** The role bound to the agent that started the team. */
export const LEAD_ROLE = 'lead';

export const TeamStateSchema = z.enum(['active', 'finalized']);
export type TeamState = z.infer<typeof TeamStateSchema>;

/**
 * How the server gates a team's calls. default: no gate. plan: planning only (no claims, no
 * completions, no execution roles spawned, only plan artifacts). delegate: the lead coordinates
 * and never claims or completes work itself.
 */
export const TeamModeSchema = z.enum(['default', 'delegate', 'plan']);
export type TeamMode = z.infer<typeof TeamModeSchema>;

/** A team's mode as it applies now: a lapsed TTL has already returned it to `returns_to`. */
export const TeamModeStateSchema = z.strictObject({
  current: TeamModeSchema,
  /** Who set it; null for a team that never left default, or a TTL that lapsed. */
  set_by: AgentIdSchema.nullable(),
  reason: z.string(),
  set_at: TimestampSchema.nullable(),
  /** When a temporary mode ends; null for a mode that stays until changed. */
  expires_at: TimestampSchema.nullable(),
  /** The mode the team returns to at expires_at: the last mode set without a TTL. */
  returns_to: TeamModeSchema.nullable(),
});
export type TeamModeState = z.infer<typeof TeamModeStateSchema>;

export const TeamSchema = z.strictObject({
  id: TeamIdSchema,
  name: NameSchema,
  objective: z.string(),
  state: TeamStateSchema,
  lead_agent_id: AgentIdSchema,
  max_threads: z.number().int().min(1).max(LIMITS.maxThreadsHardCap),
  profile: z.string(),
  created_at: TimestampSchema,
  finalized_at: TimestampSchema.nullable(),
  summary: z.string().nullable(),
  mode: TeamModeStateSchema,
  /** A child team only: the team it works for (docs/hierarchy.md). */
  parent_team_id: TeamIdSchema.optional(),
  /** A child team only: the token budget carved from its parent when it started. */
  budget_tokens: z.number().int().min(0).optional(),
  /** Tokens its finished child teams used, charged to it when they finished; absent while 0. */
  rolled_up_tokens: z.number().int().min(0).optional(),
  /** Present only for a team the operator cancelled (`codex-team cancel`); such a team is also finalized. */
  cancelled_at: TimestampSchema.optional(),
  /** The working directory the team was started from, when known. */
  cwd: z.string().optional(),
  /** The top folder of the git repository `cwd` lies in, when it lies in one. */
  repo: z.string().optional(),
});
export type Team = z.infer<typeof TeamSchema>;

/**
 * invited: spawned, join ticket outstanding. active: bound to a live session.
 * disconnected: its session ended (it may resume). retired: gone for good, holds no slot.
 */
export const AgentStateSchema = z.enum(['invited', 'active', 'disconnected', 'retired']);
export type AgentState = z.infer<typeof AgentStateSchema>;

export const AgentSchema = z.strictObject({
  id: AgentIdSchema,
  team_id: TeamIdSchema,
  name: NameSchema,
  role: RoleSchema,
  /** Present only when the lead granted a permission profile other than the role's at spawn. */
  permission_profile: PermissionProfileNameSchema.optional(),
  /**
   * A child team's lead played by an ancestor's lead (who started the child to lead it itself, or
   * took it over): that agent's session acts for this one. Absent for every other agent.
   */
  principal_agent_id: AgentIdSchema.optional(),
  state: AgentStateSchema,
  created_at: TimestampSchema,
  joined_at: TimestampSchema.nullable(),
  last_seen_at: TimestampSchema.nullable(),
});
export type Agent = z.infer<typeof AgentSchema>;

/**
 * Task lifecycle. `blocked` and `ready` together are the "todo" states: a task is `ready` exactly
 * when every dependency is `done`. `done`, `failed` and `cancelled` are terminal.
 */
export const TaskStatusSchema = z.enum([
  'blocked',
  'ready',
  'in_progress',
  'done',
  'failed',
  'cancelled',
]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['done', 'failed', 'cancelled'];

/**
 * How much damage a wrong result of a task could do: the profile's quality rules (reviews,
 * evidence, tests) get stricter with the tier. `low` unless set at creation or by the lead.
 */
export const RiskTierSchema = z.enum(['low', 'medium', 'high']);
export type RiskTier = z.infer<typeof RiskTierSchema>;

export const TaskSchema = z.strictObject({
  id: TaskIdSchema,
  team_id: TeamIdSchema,
  title: z.string(),
  description: z.string(),
  required_role: RoleSchema.nullable(),
  priority: z.number().int(),
  risk: RiskTierSchema,
  status: TaskStatusSchema,
  depends_on: z.array(TaskIdSchema),
  owner_agent_id: AgentIdSchema.nullable(),
  /** Increases on every claim; writes about a claimed task must present the current value. */
  fence: z.number().int().min(0),
  lease_expires_at: TimestampSchema.nullable(),
  attempts: z.number().int().min(0),
  progress: z.string().nullable(),
  result: z.string().nullable(),
  created_by: AgentIdSchema,
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
  completed_at: TimestampSchema.nullable(),
  /** Present only for a task delegated to a child team: that team holds it until it finishes. */
  delegated_to: TeamIdSchema.optional(),
});
export type Task = z.infer<typeof TaskSchema>;

export const MessageSchema = z.strictObject({
  id: MessageIdSchema,
  team_id: TeamIdSchema,
  /** null means codex-team itself, e.g. a recovery notice to the lead. */
  from_agent_id: AgentIdSchema.nullable(),
  /** null means broadcast to every other agent of the team. */
  to_agent_id: AgentIdSchema.nullable(),
  body: z.string(),
  artifact_refs: z.array(ArtifactIdSchema),
  /** The task this message is about; only its current holder may send one (with the fence). */
  task_id: TaskIdSchema.nullable(),
  created_at: TimestampSchema,
  /** Present only for a message the operator sent from the shell (`codex-team send`; from_agent_id null). */
  sender_kind: z.literal('operator').optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const ArtifactNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore or dash');

/** One immutable version of a named artifact; `id` names this exact version. */
export const ArtifactSchema = z.strictObject({
  id: ArtifactIdSchema,
  team_id: TeamIdSchema,
  name: ArtifactNameSchema,
  version: z.number().int().min(1),
  media_type: z.string(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  size_bytes: z.number().int().min(0),
  task_id: TaskIdSchema.nullable(),
  /** A plan: the only kind of artifact plan mode lets anyone publish, and what team_plan reviews. */
  plan: z.boolean(),
  /** A test report: the evidence a task under `require_tests` must point at. */
  tests: z.boolean(),
  published_by: AgentIdSchema,
  created_at: TimestampSchema,
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const ReviewVerdictSchema = z.enum(['approve', 'reject']);
export type ReviewVerdict = z.infer<typeof ReviewVerdictSchema>;

/**
 * One agent's vote on a task in progress, for the claim of `fence`: one vote per agent and claim
 * (a later vote replaces the earlier one), never by the task's holder. Approvals of the current
 * claim count toward the profile's `required_reviews`.
 */
export const TaskReviewSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z.number().int().min(1),
  reviewer_agent_id: AgentIdSchema,
  verdict: ReviewVerdictSchema,
  at: TimestampSchema,
});
export type TaskReview = z.infer<typeof TaskReviewSchema>;

export const DecisionSchema = z.enum(['allow', 'deny']);
export type Decision = z.infer<typeof DecisionSchema>;

/**
 * One audit event. Every state change writes exactly one, in the same transaction; `data` holds the
 * rows as they are after the change, so replaying the events in `seq` order rebuilds the state.
 */
export const AuditEventSchema = z.strictObject({
  seq: z.number().int().min(1),
  team_id: TeamIdSchema,
  at: TimestampSchema,
  actor_agent_id: AgentIdSchema.nullable(),
  /** Present only for what the operator did from the shell (actor_agent_id null). */
  actor_kind: z.literal('operator').optional(),
  action: z.string(),
  subject_id: z.string().nullable(),
  decision: DecisionSchema,
  reason: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;
