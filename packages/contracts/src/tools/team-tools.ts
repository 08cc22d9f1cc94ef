import { z } from 'zod';
import {
  AgentSchema,
  NameSchema,
  PermissionProfileNameSchema,
  RoleSchema,
  TaskStatusSchema,
  TeamSchema,
} from '../entities';
import { LIMITS } from '../limits';
import { ProfileNameSchema } from '../profile';
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

export const TeamStatusInputSchema = z.strictObject({});
export const TeamStatusOutputSchema = z.strictObject({
  team: TeamSchema,
  me: AgentSchema,
  agents: z.array(AgentSchema),
  tasks_by_status: z.record(TaskStatusSchema, z.number().int()),
  active_threads: z.number().int(),
  unread_messages: z.number().int(),
  ready_to_finalize: ReadyToFinalizeSchema,
  hints: StaffingHintsSchema.nullable().describe('Lead only: which roles to spawn now, and why'),
});

export const TeamFinalizeInputSchema = z.strictObject({
  summary: z.string().max(LIMITS.resultMaxChars).default(''),
  force: z
    .boolean()
    .default(false)
    .describe('Cancel unfinished tasks instead of refusing while any remain'),
});
export const TeamFinalizeOutputSchema = z.strictObject({
  team: TeamSchema,
  cancelled_task_ids: z.array(z.string()),
});

export const TeamResumeInputSchema = z.strictObject({ ticket: z.string().max(200) });
export const TeamResumeOutputSchema = z.strictObject({ team: TeamSchema, agent: AgentSchema });

export const TeamSpawnInputSchema = z.strictObject({
  name: NameSchema.describe('Unique teammate name in this team'),
  role: RoleSchema.describe('e.g. implementer, reviewer, tester, researcher, planner'),
  permission_profile: PermissionProfileNameSchema.optional().describe(
    "A permission profile instead of the role's (docs/permissions.md); never more than yours",
  ),
});
export const TeamSpawnOutputSchema = z.strictObject({
  agent: AgentSchema,
  join_ticket: z.string(),
  spawn_instruction: z
    .string()
    .describe('Paste into spawn_agent: it tells the teammate to call team_join with the ticket'),
});

export const TeamJoinInputSchema = z.strictObject({ ticket: z.string().max(200) });
export const TeamJoinOutputSchema = z.strictObject({
  team: TeamSchema,
  agent: AgentSchema,
  resume_ticket: z.string(),
});
