import { z } from 'zod';
import { AgentIdSchema, AgentStateSchema, AuditEventSchema, DecisionSchema, RoleSchema, TaskStatusSchema, TeamSchema } from '../entities';
import { AuthzDecisionSchema } from '../permissions';
import { programOnly } from './compact-rows';
import { BudgetStateSchema, ReadyToFinalizeSchema } from './policy-tools';

const count = z.number().int().min(0);


/** Work, usage and busy time of one agent. */
export const AgentWorkSchema = z.strictObject({
  agent_id: AgentIdSchema,
  name: z.string(),
  role: RoleSchema,
  state: AgentStateSchema,
  tasks_done: count,
  tasks_failed: count,
  tasks_held: count,
  tokens: count,
  /** Milliseconds between its claims and their ends (complete, fail, release, cancel). */
  busy_ms: count,
});

export const RoleWorkSchema = z.strictObject({
  role: RoleSchema,
  agents: count,
  tasks_done: count,
  tasks_failed: count,
  tokens: count,
});

export const RunSummaryOutputSchema = z.strictObject({
  team: TeamSchema,
  /** From team start to finalize, or to now while the team is active. */
  elapsed_ms: count,
  tasks_by_status: z.record(TaskStatusSchema, z.number().int()),
  ready_to_finalize: ReadyToFinalizeSchema,
  agents: z.array(AgentWorkSchema),
  roles: z.array(RoleWorkSchema),
  usage: z.strictObject({ samples: count, budget: BudgetStateSchema }),
  /** Claim-to-finish durations of the finished tasks. */
  task_durations: z.strictObject({ count, total_ms: count, mean_ms: count, max_ms: count }),
  /** The chain of dependent tasks with the longest measured work: what bounded the run. */
  critical_path: z.strictObject({ task_ids: z.array(z.string()), duration_ms: count }),
  /** One line per child team (progress, budget, health); absent for a team without children. */
  children: z.array(z.string()).optional(),
  /** Policy decisions in order: fanout, profile switches, budget, idle sweep, early stop, refusals. */
  decisions: z.array(
    z.strictObject({
      seq: z.number().int(),
      at: z.string(),
      action: z.string(),
      decision: DecisionSchema,
      reason: z.string(),
    }),
  ),
});

/**
 * team_run_summary: without `log`, the run summary (any agent); with `log` (the lead's), a page of
 * the audit trail ("audit", secrets masked) or of every call's authorization ("decisions"). One
 * tool for both: every tool's schema costs bytes on every model turn.
 */
export const RunSummaryInputSchema = z
  .strictObject({
    log: z.enum(['audit', 'decisions']).optional().meta({ docs: 'Lead only: a page of the audit events, or of every call\'s authorization decision, instead of the summary' }),
    after_seq: z.number().int().min(0).optional().meta({ docs: 'With log: entries after this seq (the previous page\'s next_after_seq)' }),
    limit: programOnly(z.number().int().min(1).max(1_000).optional(), 'with log: entries a page, 200 by default'),
  })
  .refine((input) => input.log !== undefined || (input.after_seq === undefined && input.limit === undefined), {
    path: ['log'],
    message: 'after_seq and limit page a log: give log too',
  });
export type RunSummary = z.infer<typeof RunSummaryOutputSchema>;

/** A page of a log (team_run_summary with `log`). */
export const ReplayOutputSchema = z.strictObject({
  /** Empty when `log` is "decisions". */
  events: z.array(AuditEventSchema),
  /** Present only when `log` is "decisions"; `next_after_seq` then pages through these. */
  decisions: z.array(AuthzDecisionSchema).optional(),
  next_after_seq: z.number().int().nullable(),
});

/**
 * The answer: the run summary's fields, or with `log` only `log`, a page of it. One object schema,
 * as MCP wants an object for a tool's output.
 */
export const RunSummaryAnswerSchema = RunSummaryOutputSchema.partial().extend({
  log: ReplayOutputSchema.optional(),
});

/** Whether a team_run_summary answer is the summary (asked without `log`) rather than a log page. */
export function isRunSummary(answer: z.infer<typeof RunSummaryAnswerSchema>): answer is RunSummary {
  return answer.critical_path !== undefined;
}
