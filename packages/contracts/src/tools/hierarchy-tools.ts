import { z } from 'zod';
import { TaskIdSchema } from '../entities';
import { AgentRefSchema, TeamRefSchema } from './compact-rows';

/**
 * The `team` argument of the tools that may act in another team of the caller's tree: a team id,
 * checked against the tree inside the operation's transaction (docs/hierarchy.md); absent, or the
 * caller's own team, acts in its own team. A bare string on purpose: every tool that takes it
 * repeats it in every turn's tool schema (docs/tools.md and team_child's description say what it
 * is), and an unknown id is answered NOT_FOUND like a hidden one.
 */
export const TeamArgSchema = z.string();

/**
 * team_child's input. Kept bare (its tool description says what each field is for): the store
 * checks the task list (1 to LIMITS.delegatedTasksMax ids) and every id inside its transaction.
 */
export const TeamChildInputSchema = z.strictObject({
  action: z.enum(['start', 'takeover']),
  tasks: z.array(z.string()).optional(),
  lead: z.enum(['self', 'ticket']).optional(),
  tokens: z.number().int().min(1).optional(),
  team: TeamArgSchema.optional(),
});
export const TeamChildOutputSchema = z.strictObject({
  /** The child team (short row). */
  team: TeamRefSchema,
  /** Its lead (short row): played by you (principal_agent_id), or invited until someone joins with lead_ticket. */
  lead: AgentRefSchema,
  /** The parent's tasks the child holds until it finishes. */
  delegated_task_ids: z.array(TaskIdSchema),
  /** The child's own tasks, one from each delegated task's brief (start only; empty on takeover). */
  task_ids: z.array(TaskIdSchema),
  /** lead "ticket" only: the one-use ticket that makes its holder the child's lead (team_join). */
  lead_ticket: z.string().optional(),
  /** lead "ticket" only: paste into spawn_agent; it tells the new lead to join and run the child. */
  spawn_instruction: z.string().optional(),
  /** lead "ticket" only: how to call spawn_agent with it under each of Codex's multi-agent surfaces. */
  spawn_with: z.string().optional(),
});
