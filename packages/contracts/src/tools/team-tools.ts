import { z } from 'zod';
import { NameSchema, PermissionProfileNameSchema, RoleSchema, TaskStatusSchema } from '../entities';
import { LIMITS } from '../limits';
import { ProfileNameSchema } from '../profile';
import { BriefSchema } from './brief';
import { AgentRefSchema, TeamRefSchema, programOnly } from './compact-rows';
import { ReadyToFinalizeSchema, StatusHintsSchema } from './policy-tools';
import { TeamArgSchema } from './hierarchy-tools';

/** A secret handed out once; only its hash is stored. */
export const TicketSchema = z
  .string()
  .regex(/^(join|resume)_[a-z2-7]{32,64}$/, 'a ticket as returned by team_spawn or team_start');

export const TeamStartInputSchema = z.strictObject({
  name: NameSchema,
  objective: z.string().max(LIMITS.objectiveMaxChars).default(''),
  /** Teammates active at once, lead excluded; default: the profile's (and never past Codex's cap). */
  max_threads: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.maxThreadsHardCap)
    .optional()
    .meta({ docs: "Teammates active at once (lead excluded), 1-6; default: the profile's, never past Codex's cap" }),
  profile: ProfileNameSchema.optional().meta({ docs: 'Policy profile: fast, default, deep or one of yours; default "default"' }),
  lead_name: programOnly(NameSchema.default('lead'), 'your name as the lead'),
});
export const TeamStartOutputSchema = z.strictObject({
  team: TeamRefSchema,
  agent: AgentRefSchema,
  resume_ticket: z.string().describe('Keep it: team_resume re-binds a restarted session'),
});

export const TeamStatusInputSchema = z.strictObject({ team: TeamArgSchema.optional() });
export const TeamStatusOutputSchema = z.strictObject({
  team: TeamRefSchema,
  me: AgentRefSchema,
  /** The other agents of the team (the caller is `me`). */
  agents: z.array(AgentRefSchema),
  /** Task counts by status; statuses with no task are left out. */
  tasks_by_status: z.partialRecord(TaskStatusSchema, z.number().int()),
  active_threads: z.number().int(),
  unread_messages: z.number().int(),
  ready_to_finalize: ReadyToFinalizeSchema,
  hints: StatusHintsSchema.nullable().describe('Lead only: which roles to spawn now'),
  /** A child team only: its parent and the briefs of the tasks delegated to it, in one line. */
  parent: z.string().optional(),
  /** One line per child team: progress, budget and health; absent for a team without children. */
  children: z.array(z.string()).optional(),
});

export const TeamFinalizeInputSchema = z.strictObject({
  summary: z.string().max(LIMITS.resultMaxChars).default(''),
  /** Cancel unfinished tasks instead of refusing while any remain. */
  force: z.boolean().default(false),
  team: TeamArgSchema.optional(),
});
export const TeamFinalizeOutputSchema = z.strictObject({
  team: TeamRefSchema,
  cancelled_task_ids: z.array(z.string()),
});

export const TeamResumeInputSchema = z.strictObject({ ticket: z.string().max(200) });

export const TeamResumeOutputSchema = z.strictObject({
  team: TeamRefSchema,
  agent: AgentRefSchema,
  resume_ticket: z.string().describe('Your next resume ticket: keep it, the one you used no longer works'),
  /** What this session needs to carry on: the same as team_brief. */
  brief: BriefSchema,
});

export const TeamSpawnInputSchema = z.strictObject({
  /** Unique in the team; with `restart`, the name of the teammate to restart. */
  name: NameSchema,
  role: RoleSchema.meta({ docs: 'e.g. implementer, reviewer, tester, researcher, planner' }),
  /** A permission profile instead of the role's (docs/permissions.md); never more than yours. */
  permission_profile: PermissionProfileNameSchema.optional(),
  /**
   * Restart an existing teammate on a fresh thread: a new resume ticket for it (the old one stops
   * working), and a spawn instruction that resumes it there; its claims stay its own.
   */
  restart: z.boolean().optional().meta({ docs: 'Restart the existing teammate `name` on a fresh thread' }),
  team: TeamArgSchema.optional(),
});
export const TeamSpawnOutputSchema = z.strictObject({
  agent: AgentRefSchema,
  /** The ticket the new thread binds with: a join ticket, or with `restart` a resume ticket. */
  join_ticket: z.string(),
  spawn_instruction: z
    .string()
    .describe('Paste into spawn_agent: it tells the teammate to call team_join with the ticket'),
  spawn_with: z.string().describe("The spawn_agent call to make, under Codex's multi-agent v1 and v2"),
});

export const TeamJoinInputSchema = z.strictObject({ ticket: z.string().max(200) });
export const TeamJoinOutputSchema = z.strictObject({
  team: TeamRefSchema,
  /** The team's objective (as given to team_start). */
  objective: z.string(),
  agent: AgentRefSchema,
  resume_ticket: z.string(),
});
