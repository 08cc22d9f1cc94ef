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

/**
 * team_mode: without `mode`, the mode as it applies now, what it refuses and where the lead may
 * take it; with `mode` (and `reason`), a change, answered with the mode before and the tasks in
 * flight at that moment. One tool for both: each tool's schema costs bytes on every model turn.
 */
export const TeamModeInputSchema = z
  .strictObject({
    mode: TeamModeSchema.optional().meta({ docs: 'Set this mode; leave it out to read the mode' }),
    /** Why; teammates see it when the mode refuses them. */
    reason: z.string().min(1).max(LIMITS.reasonMaxChars).optional().meta({ docs: 'Required with mode: why; teammates see it when refused' }),
    ttl_ms: z
      .number()
      .int()
      .min(1_000)
      .max(MODE_TTL_MAX_MS)
      .optional()
      .meta({ docs: 'Temporary: the team returns to its last lasting mode after this long' }),
  })
  .refine((input) => input.mode !== undefined || (input.reason === undefined && input.ttl_ms === undefined), {
    path: ['mode'],
    message: 'reason and ttl_ms go with mode (a change); leave all three out to read the mode',
  })
  .refine((input) => input.mode === undefined || input.reason !== undefined, {
    path: ['reason'],
    message: 'a change of mode needs a reason',
  });
export const TeamModeOutputSchema = z.strictObject({
  mode: TeamModeStateSchema,
  /** What the mode refuses now (empty in default mode). */
  gates: z.array(ModeGateSchema),
  /** A read: where the lead may take the team from here, and why not where it may not. */
  transitions: z.array(ModeTransitionSchema).optional(),
  /** A change: the mode before it. */
  previous: TeamModeStateSchema.optional(),
  /** A change: tasks held when the mode changed (in plan mode their holders may report or release, not complete). */
  in_flight_task_ids: z.array(TaskIdSchema).optional(),
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
    /** submit: ask the lead to approve your plan artifact; approve and reject are the lead's. */
    action: z.enum(['submit', 'approve', 'reject']),
    /** An artifact published with plan: true. */
    artifact_id: ArtifactIdSchema,
    /** Required to approve or reject. */
    reason: z.string().min(1).max(LIMITS.reasonMaxChars).optional(),
  })
  .refine((input) => input.action === 'submit' || input.reason !== undefined, {
    path: ['reason'],
    message: 'approve and reject need a reason',
  });
export const TeamPlanOutputSchema = z.strictObject({ plan: PlanReviewSchema });
