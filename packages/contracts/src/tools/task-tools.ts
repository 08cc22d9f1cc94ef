import { z } from 'zod';
import {
  AgentIdSchema,
  ArtifactIdSchema,
  ReviewVerdictSchema,
  RiskTierSchema,
  RoleSchema,
  TaskIdSchema,
  TaskSchema,
  TaskStatusSchema,
} from '../entities';
import { LIMITS } from '../limits';
import { UsageSampleSchema } from '../profile';
import { ClaimedTaskSchema, TaskRowSchema, programOnly } from './compact-rows';
import { TeamArgSchema } from './hierarchy-tools';

// Input descriptions ride on every model turn of every agent (Codex sends input schemas only):
// a field gets one when its name and the tool's description do not say enough.

/** A batch-local handle so one call can create a whole DAG. */
export const TaskKeySchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore or dash');

export const NewTaskSchema = z.strictObject({
  key: TaskKeySchema.optional().meta({ docs: 'A name other tasks of this call may depend on' }),
  title: z.string().min(1).max(LIMITS.titleMaxChars),
  description: z.string().max(LIMITS.descriptionMaxChars).default(''),
  required_role: RoleSchema.optional(),
  priority: z.number().int().min(LIMITS.priorityMin).max(LIMITS.priorityMax).default(0),
  // Whole minutes. Codex sends the model integer fields without their bounds: 34 bytes a turn.
  estimate_min: z.number().int().min(1).max(LIMITS.estimateMinMax).optional(),
  // Schema bytes are paid on every model turn: the tier's meaning is in docs/tools.md, not here.
  risk: RiskTierSchema.optional(),
  depends_on: z
    .array(z.string().min(1).max(64))
    .max(LIMITS.dependenciesPerTaskMax)
    .default([]),
});
export type NewTask = z.infer<typeof NewTaskSchema>;

export const TaskCreateInputSchema = z.strictObject({
  tasks: z.array(NewTaskSchema).min(1).max(LIMITS.tasksPerCreateMax),
  team: TeamArgSchema.optional(),
});
export const TaskCreateOutputSchema = z.strictObject({
  /** The new tasks' ids, in the order given (team_task_list has their rows). */
  ids: z.array(TaskIdSchema),
  /** key -> id for the tasks that had a key. */
  keys: z.record(z.string(), TaskIdSchema),
});

export const TaskListInputSchema = z.strictObject({
  status: z.array(TaskStatusSchema).max(6).optional(),
  /** Tasks that require this role. */
  role: RoleSchema.optional(),
  owner_agent_id: AgentIdSchema.optional(),
  ready: z.boolean().optional().meta({ docs: 'Only ready tasks that name your role or no role' }),
  /** Tasks created after this one (the previous page's next_after). */
  after: TaskIdSchema.optional(),
  limit: programOnly(z.number().int().min(1).max(LIMITS.listPageMax).optional(), 'rows a page: 100, or 20 with full'),
  full: z.boolean().optional().meta({ docs: 'Whole rows (20 a page by default), long texts cut with where to read them' }),
  task_id: TaskIdSchema.optional().meta({ docs: 'That one task, whole, nothing cut' }),
  team: TeamArgSchema.optional(),
});
export const TaskListOutputSchema = z.strictObject({
  /** Short rows (TaskRow); whole rows with `full`, long texts cut with where to read them whole. */
  tasks: z.array(z.union([TaskRowSchema, TaskSchema])),
  /** Pass as `after` for the next page; null on the last page. */
  next_after: TaskIdSchema.nullable(),
});

/** A successful claim: the work order plus what later writes must present. */
export const ClaimSchema = z.strictObject({
  task: ClaimedTaskSchema,
  fence: z.number().int(),
  lease_expires_at: z.string(),
});

/**
 * team_task_next: the best ready task for the caller, or with `task_id` that task. One tool for
 * both kinds of claim (same permissions, gates and answer): a tool's schema costs every turn.
 */
export const TaskNextInputSchema = z.strictObject({
  task_id: TaskIdSchema.optional().meta({ docs: 'Claim this ready task instead of the best one for you' }),
});
export const TaskNextOutputSchema = z.strictObject({
  claim: ClaimSchema.nullable(),
  /** Why nothing was claimed, when claim is null (a claim by task_id is refused with an error instead). */
  reason: z.string().nullable(),
  /** Set when the team's rebalancing retired you instead (the rule; reason says why): end your turn. */
  retire: z.string().optional(),
  /** With no claim: the team's unfinished tasks; 0 when nothing is left for you: end your turn. */
  open: z.number().int().min(0).optional(),
});

export const TaskUpdateInputSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z.number().int().min(0).optional(),
  progress: z.string().max(LIMITS.progressMaxChars).optional(),
  title: z.string().min(1).max(LIMITS.titleMaxChars).optional(),
  description: z.string().max(LIMITS.descriptionMaxChars).optional(),
  priority: z.number().int().min(LIMITS.priorityMin).max(LIMITS.priorityMax).optional(),
  required_role: RoleSchema.nullable().optional(),
  cancel: z.boolean().optional(),
  /** Lead only: the task's risk tier (its quality rules), on any unfinished task. */
  risk: RiskTierSchema.optional(),
  /** Not the holder: your vote on a task in progress; approvals count toward required_reviews. */
  review: ReviewVerdictSchema.optional(),
  team: TeamArgSchema.optional(),
});
export const TaskUpdateOutputSchema = z.strictObject({
  task: TaskRowSchema,
  lease_expires_at: z.string().nullable(),
});

export const TaskCompleteInputSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z.number().int().min(0),
  outcome: z.enum(['done', 'failed']).default('done'),
  result: z.string().min(1).max(LIMITS.resultMaxChars).meta({ docs: 'Evidence: what changed and how it was checked' }),
  artifact_ids: z.array(ArtifactIdSchema).max(LIMITS.artifactRefsPerMessageMax).default([]),
  usage: programOnly(UsageSampleSchema.optional(), 'tokens the task took, charged to the team budget (also when the completion is refused)'),
});
export const TaskCompleteOutputSchema = z.strictObject({
  task: TaskRowSchema,
  unblocked_task_ids: z.array(TaskIdSchema),
});

export const TaskReleaseInputSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z.number().int().min(0),
  reason: z.string().min(1).max(LIMITS.reasonMaxChars),
});
export const TaskReleaseOutputSchema = z.strictObject({ task: TaskRowSchema });
