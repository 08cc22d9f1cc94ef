import { z } from 'zod';
import { TaskIdSchema } from '../entities';

/** Most claims one heartbeat renews; an agent holds few tasks at once. */
export const HEARTBEAT_TASKS_MAX = 50;

export const HeartbeatInputSchema = z.strictObject({
  tasks: z
    .array(z.strictObject({ task_id: TaskIdSchema, fence: z.number().int().min(0) }))
    .max(HEARTBEAT_TASKS_MAX)
    .default([]),
});
export const HeartbeatOutputSchema = z.strictObject({
  last_seen_at: z.string().nullable(),
  leases: z.array(z.strictObject({ task_id: TaskIdSchema, fence: z.number().int(), lease_expires_at: z.string() })),
});

/** One action of a recovery sweep. */
export const RecoveryActionSchema = z.strictObject({
  /**
   * task.recover: a claim was taken back (task ready again, or failed after max attempts).
   * agent.lost: a silent teammate's slot freed (it may come back). agent.retire: a silent teammate
   * retired (idle.retire_idle_agents). team.finalize: a team idle as a whole finalized. mode.expire:
   * a temporary mode's lapse recorded. team.lead_lost: a child team's lost lead reported to its
   * parent's lead (the child team is left as it is). team.checkpoint: a checkpoint due
   * (checkpoint.every_events).
   */
  action: z.enum(['task.recover', 'agent.lost', 'agent.retire', 'team.finalize', 'mode.expire', 'team.lead_lost', 'team.checkpoint']),
  subject_id: z.string(),
  /** The task's status or the agent's state afterwards. */
  outcome: z.string(),
  reason: z.string(),
});

export const RecoverInputSchema = z.strictObject({});
export const RecoverOutputSchema = z.strictObject({
  actions: z.array(RecoveryActionSchema),
  /** Whether the lead's inbox got a notice of these actions. */
  notified_lead: z.boolean(),
});
