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
import { TeamArgSchema } from './hierarchy-tools';

/** A batch-local handle so one call can create a whole DAG. */
export const TaskKeySchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore or dash');

export const NewTaskSchema = z.strictObject({
  key: TaskKeySchema.optional().describe('Handle other tasks of this call may depend on'),
  title: z.string().min(1).max(LIMITS.titleMaxChars),
  description: z.string().max(LIMITS.descriptionMaxChars).default(''),
  required_role: RoleSchema.optional().describe('Only agents of this role may claim it'),
  priority: z.number().int().min(LIMITS.priorityMin).max(LIMITS.priorityMax).default(0),
  // Schema bytes are paid on every model turn: the tier's meaning is in docs/tools.md, not here.
  risk: RiskTierSchema.optional(),
  depends_on: z
    .array(z.string().min(1).max(64))
    .max(LIMITS.dependenciesPerTaskMax)
    .default([])
    .describe('Task ids of this team, or keys of tasks in this call'),
});
export type NewTask = z.infer<typeof NewTaskSchema>;

export const TaskCreateInputSchema = z.strictObject({
  tasks: z.array(NewTaskSchema).min(1).max(LIMITS.tasksPerCreateMax),
  team: TeamArgSchema.optional(),
});
export const TaskCreateOutputSchema = z.strictObject({
  tasks: z.array(TaskSchema),
  /** key -> id for the tasks that had a key. */
  keys: z.record(z.string(), TaskIdSchema),
});

export const TaskListInputSchema = z.strictObject({
  status: z.array(TaskStatusSchema).max(6).optional(),
  owner_agent_id: AgentIdSchema.optional(),
  /** Return tasks with an id greater than this (ids of one team sort by creation). */
  after: TaskIdSchema.optional(),
  limit: z.number().int().min(1).max(LIMITS.listPageMax).optional(),
  team: TeamArgSchema.optional(),
});
export const TaskListOutputSchema = z.strictObject({
  tasks: z.array(TaskSchema),
  next_after: TaskIdSchema.nullable(),
});

/** A successful claim: the task plus what later writes must present. */
export const ClaimSchema = z.strictObject({
  task: TaskSchema,
  fence: z.number().int(),
  lease_expires_at: z.string(),
});

export const TaskNextInputSchema = z.strictObject({});
export const TaskNextOutputSchema = z.strictObject({
  claim: ClaimSchema.nullable(),
  /** Why nothing was claimed, when claim is null. */
  reason: z.string().nullable(),
});

export const TaskClaimInputSchema = z.strictObject({ task_id: TaskIdSchema });
export const TaskClaimOutputSchema = ClaimSchema;

export const TaskUpdateInputSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Required when the task is in progress: the holder reports progress and renews its lease'),
  progress: z.string().max(LIMITS.progressMaxChars).optional(),
  title: z.string().min(1).max(LIMITS.titleMaxChars).optional(),
  description: z.string().max(LIMITS.descriptionMaxChars).optional(),
  priority: z.number().int().min(LIMITS.priorityMin).max(LIMITS.priorityMax).optional(),
  required_role: RoleSchema.nullable().optional(),
  cancel: z.boolean().optional().describe('Cancel a task that is not in progress'),
  /** Lead only: the task's risk tier (its quality rules), on any unfinished task. */
  risk: RiskTierSchema.optional(),
  /** Not the holder: your vote on a task in progress; approvals count toward required_reviews. */
  review: ReviewVerdictSchema.optional(),
  team: TeamArgSchema.optional(),
});
export const TaskUpdateOutputSchema = z.strictObject({
  task: TaskSchema,
  lease_expires_at: z.string().nullable(),
});

export const TaskCompleteInputSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z.number().int().min(0),
  outcome: z.enum(['done', 'failed']).default('done'),
  result: z.string().min(1).max(LIMITS.resultMaxChars).describe('Evidence: what was done and how it was checked'),
  artifact_ids: z.array(ArtifactIdSchema).max(LIMITS.artifactRefsPerMessageMax).default([]),
  usage: UsageSampleSchema.optional().describe('Tokens the task took, charged to the team budget'),
});
export const TaskCompleteOutputSchema = z.strictObject({
  task: TaskSchema,
  unblocked_task_ids: z.array(TaskIdSchema),
});

export const TaskReleaseInputSchema = z.strictObject({
  task_id: TaskIdSchema,
  fence: z.number().int().min(0),
  reason: z.string().min(1).max(LIMITS.reasonMaxChars),
});
export const TaskReleaseOutputSchema = z.strictObject({ task: TaskSchema });
