import { z } from 'zod';
import { AgentSchema, TaskIdSchema, TaskSchema, TeamSchema } from '../entities';
import { LIMITS } from '../limits';

/**
 * The `team` argument of the tools that may act in another team of the caller's tree: a team id,
 * checked against the tree inside the operation's transaction (docs/hierarchy.md); absent, or the
 * caller's own team, acts in its own team. A bare string on purpose: every tool that takes it
 * repeats it in every turn's tool schema, and an unknown id is answered NOT_FOUND like a hidden one.
 */
export const TeamArgSchema = z.string().max(64);

export const TeamChildInputSchema = z.strictObject({
  action: z.enum(['start', 'takeover']),
  tasks: z
    .array(z.string().max(64))
    .min(1)
    .max(LIMITS.delegatedTasksMax)
    .optional()
    .describe('start: ready task ids it takes over'),
  lead: z.enum(['self', 'ticket']).optional().describe('start: self (default) or whoever joins with lead_ticket'),
  tokens: z.number().int().min(1).optional().describe('start: budget carved from yours (default half what is left)'),
  team: TeamArgSchema.optional().describe('start: parent (default yours); takeover: the child'),
});
export const TeamChildOutputSchema = z.strictObject({
  /** The child team. */
  team: TeamSchema,
  /** Its lead: played by you (principal_agent_id), or invited until someone joins with lead_ticket. */
  lead: AgentSchema,
  /** The parent's tasks the child holds until it finishes. */
  delegated_task_ids: z.array(TaskIdSchema),
  /** The child's own tasks, one from each delegated task's brief (start only; empty on takeover). */
  tasks: z.array(TaskSchema),
  /** lead "ticket" only: the one-use ticket that makes its holder the child's lead (team_join). */
  lead_ticket: z.string().nullable(),
  /** lead "ticket" only: paste into spawn_agent; it tells the new lead to join and run the child. */
  spawn_instruction: z.string().nullable(),
});
