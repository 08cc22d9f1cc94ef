import { z } from 'zod';
import { AgentIdSchema, ArtifactIdSchema, TaskIdSchema, TeamIdSchema, TeamModeSchema, TeamModeStateSchema, TimestampSchema } from '../entities';
import { LIMITS } from '../limits';

/** Longest a temporary mode may last: a week. */
export const MODE_TTL_MAX_MS = 7 * 24 * 60 * 60 * 1000;

/** One edge of the mode transition table as it applies to the team now. */
export const ModeTransitionSchema = z.strictObject({
  to: TeamModeSchema,
  allowed: z.boolean(),
  rule: z.string(),
  reason: z.string(),
});

/** One gate of a mode: what it refuses and why. */
export const ModeGateSchema = z.strictObject({
  rule: z.string(),
  refuses: z.string(),
  reason: z.string(),
});

export const TeamModeGetInputSchema = z.strictObject({});
export const TeamModeGetOutputSchema = z.strictObject({
  mode: TeamModeStateSchema,
  /** What the current mode refuses (empty in default mode). */
  gates: z.array(ModeGateSchema),
  /** Where the lead may take the team from here, and why not where it may not. */
  transitions: z.array(ModeTransitionSchema),
});

export const TeamModeSetInputSchema = z.strictObject({
  mode: TeamModeSchema,
  reason: z.string().min(1).max(LIMITS.reasonMaxChars).describe('Why; teammates see it when refused'),
  ttl_ms: z
    .number()
    .int()
    .min(1_000)
    .max(MODE_TTL_MAX_MS)
    .optional()
    .describe('Temporary: return to the last lasting mode after this long'),
});
export const TeamModeSetOutputSchema = z.strictObject({
  mode: TeamModeStateSchema,
  previous: TeamModeStateSchema,
  /** Tasks held when the mode changed: in plan mode their holders may report or release, not complete. */
  in_flight_task_ids: z.array(TaskIdSchema),
});

export const PlanReviewStatusSchema = z.enum(['pending', 'approved', 'rejected']);

/** A plan artifact submitted for the lead's approval, and the lead's answer. */
export const PlanReviewSchema = z.strictObject({
  artifact_id: ArtifactIdSchema,
  team_id: TeamIdSchema,
  submitted_by: AgentIdSchema,
  submitted_at: TimestampSchema,
  status: PlanReviewStatusSchema,
  reviewed_by: AgentIdSchema.nullable(),
  reviewed_at: TimestampSchema.nullable(),
  reason: z.string().nullable(),
});
export type PlanReview = z.infer<typeof PlanReviewSchema>;

export const TeamPlanInputSchema = z
  .strictObject({
    action: z.enum(['submit', 'approve', 'reject']).describe('submit: ask the lead to approve your plan artifact'),
    artifact_id: ArtifactIdSchema.describe('An artifact published with plan: true'),
    reason: z.string().min(1).max(LIMITS.reasonMaxChars).optional().describe('Required to approve or reject'),
  })
  .refine((input) => input.action === 'submit' || input.reason !== undefined, {
    path: ['reason'],
    message: 'approve and reject need a reason',
  });
export const TeamPlanOutputSchema = z.strictObject({ plan: PlanReviewSchema });
