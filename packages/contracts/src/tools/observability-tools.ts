import { z } from 'zod';
import { AgentIdSchema, AgentStateSchema, AuditEventSchema, DecisionSchema, RoleSchema, TaskStatusSchema, TeamSchema } from '../entities';
import { AuthzDecisionSchema } from '../permissions';
import { BudgetStateSchema, ReadyToFinalizeSchema } from './policy-tools';

const count = z.number().int().min(0);

export const RunSummaryInputSchema = z.strictObject({});

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

export const ReplayInputSchema = z.strictObject({
  after_seq: z.number().int().min(0).optional().describe('Events after this seq (paging)'),
  limit: z.number().int().min(1).max(1_000).optional().describe('Default 200'),
  log: z
    .enum(['audit', 'decisions'])
    .optional()
    .describe('"decisions": the authorization decision of every call (allowed or refused) instead of the audit events'),
});
export const ReplayOutputSchema = z.strictObject({
  /** Empty when `log` is "decisions". */
  events: z.array(AuditEventSchema),
  /** Present only when `log` is "decisions"; `next_after_seq` then pages through these. */
  decisions: z.array(AuthzDecisionSchema).optional(),
  next_after_seq: z.number().int().nullable(),
});
