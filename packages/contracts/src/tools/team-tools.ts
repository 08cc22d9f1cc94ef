import { z } from 'zod';
import {
  AgentIdSchema,
  AgentSchema,
  AgentStateSchema,
  NameSchema,
  PermissionProfileNameSchema,
  RoleSchema,
  TaskIdSchema,
  TaskStatusSchema,
  TeamSchema,
} from '../entities';
import { LIMITS } from '../limits';
import { ProfileNameSchema } from '../profile';
import { TeamArgSchema } from './hierarchy-tools';
import { ReadyToFinalizeSchema, StaffingHintsSchema } from './policy-tools';

/** A secret handed out once; only its hash is stored. */
export const TicketSchema = z
  .string()
  .regex(/^(join|resume)_[a-z2-7]{32,64}$/, 'a ticket as returned by team_spawn or team_start');

export const TeamStartInputSchema = z.strictObject({
  name: NameSchema.describe('Team name'),
  objective: z.string().max(LIMITS.objectiveMaxChars).default('').describe('What the team must achieve'),
  max_threads: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.maxThreadsHardCap)
    .optional()
    .describe("Max active teammates (lead excluded), 1-6; default: the profile's"),
  profile: ProfileNameSchema.optional().describe('Policy profile: fast, default or deep; default "default"'),
  lead_name: NameSchema.default('lead').describe('Name of the lead agent (you)'),
});
export const TeamStartOutputSchema = z.strictObject({
  team: TeamSchema,
  agent: AgentSchema,
  resume_ticket: z.string().describe('Keep it: team_resume re-binds a restarted session'),
});

export const TeamStatusInputSchema = z.strictObject({ team: TeamArgSchema.optional() });
export const TeamStatusOutputSchema = z.strictObject({
  team: TeamSchema,
  me: AgentSchema,
  agents: z.array(AgentSchema),
  tasks_by_status: z.record(TaskStatusSchema, z.number().int()),
  active_threads: z.number().int(),
  unread_messages: z.number().int(),
  ready_to_finalize: ReadyToFinalizeSchema,
  hints: StaffingHintsSchema.nullable().describe('Lead only: which roles to spawn now, and why'),
  /** A child team only: its parent and the briefs of the tasks delegated to it, in one line. */
  parent: z.string().optional(),
  /** One line per child team: progress, budget and health; absent for a team without children. */
  children: z.array(z.string()).optional(),
});

export const TeamFinalizeInputSchema = z.strictObject({
  summary: z.string().max(LIMITS.resultMaxChars).default(''),
  force: z
    .boolean()
    .default(false)
    .describe('Cancel unfinished tasks instead of refusing while any remain'),
  team: TeamArgSchema.optional(),
});
export const TeamFinalizeOutputSchema = z.strictObject({
  team: TeamSchema,
  cancelled_task_ids: z.array(z.string()),
});

export const TeamResumeInputSchema = z.strictObject({ ticket: z.string().max(200) });

// Times in the snapshot are plain ISO strings: the full timestamp pattern would cost every agent
// some 300 bytes of tool schema per field on every turn.

/** A claim in flight: who holds which task with which fence, and until when. */
export const LeaseSchema = z.strictObject({
  task_id: TaskIdSchema,
  owner_agent_id: AgentIdSchema,
  fence: z.number().int(),
  lease_expires_at: z.string().nullable(),
});

/** One thing recovery did, as recorded in the audit trail. */
export const RecoveryEventSchema = z.strictObject({
  at: z.string(),
  action: z.string(),
  subject_id: z.string().nullable(),
  reason: z.string(),
});

/** A teammate whose session ended or who went silent; it holds no thread slot. */
export const LostAgentSchema = z.strictObject({
  id: AgentIdSchema,
  name: z.string(),
  state: AgentStateSchema,
  last_seen_at: z.string().nullable(),
});

/** What a session coming back after a crash needs to pick up the team's work. */
export const ResumeSnapshotSchema = z.strictObject({
  /** Every task status with its count (the keys of team_status's tasks_by_status). */
  tasks_by_status: z.record(z.string(), z.number().int()),
  leases: z.array(LeaseSchema).describe('Claims in flight, soonest expiry first'),
  agents_lost: z.array(LostAgentSchema),
  unread_messages: z.number().int(),
  recovery: z.array(RecoveryEventSchema).describe("Recovery's actions since your previous session began"),
  /** Whether leases or recovery were cut to their newest 50 (team_task_list has them all). */
  truncated: z.boolean(),
});

export const TeamResumeOutputSchema = z.strictObject({
  team: TeamSchema,
  agent: AgentSchema,
  resume_ticket: z.string().describe('Your next resume ticket: keep it, the one you used no longer works'),
  snapshot: ResumeSnapshotSchema,
});

export const TeamSpawnInputSchema = z.strictObject({
  name: NameSchema.describe('Unique teammate name in this team'),
  role: RoleSchema.describe('e.g. implementer, reviewer, tester, researcher, planner'),
  permission_profile: PermissionProfileNameSchema.optional().describe(
    "A permission profile instead of the role's (docs/permissions.md); never more than yours",
  ),
  team: TeamArgSchema.optional(),
});
export const TeamSpawnOutputSchema = z.strictObject({
  agent: AgentSchema,
  join_ticket: z.string(),
  spawn_instruction: z
    .string()
    .describe('Paste into spawn_agent: it tells the teammate to call team_join with the ticket'),
  spawn_with: z.string().describe("The spawn_agent call to make, under Codex's multi-agent v1 and v2"),
});

export const TeamJoinInputSchema = z.strictObject({ ticket: z.string().max(200) });
export const TeamJoinOutputSchema = z.strictObject({
  team: TeamSchema,
  agent: AgentSchema,
  resume_ticket: z.string(),
});
