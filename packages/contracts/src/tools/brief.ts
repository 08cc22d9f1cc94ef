import { z } from 'zod';
import { AgentIdSchema, MessageIdSchema, TaskIdSchema } from '../entities';
import { AgentRefSchema, TeamRefSchema } from './compact-rows';

/** Most unread messages a brief quotes (oldest first); team_inbox has them all. */
export const BRIEF_MESSAGES_MAX = 5;
/** Characters of a quoted message body in a brief. */
export const BRIEF_EXCERPT_CHARS = 120;

/** A claim its holder must carry on, or hand back, before the lease runs out. */
export const BriefClaimSchema = z.strictObject({
  task_id: TaskIdSchema,
  title: z.string(),
  fence: z.number().int(),
  lease_expires_at: z.string().nullable(),
});
export type BriefClaim = z.infer<typeof BriefClaimSchema>;

/** An unread message, quoted: team_inbox returns it whole (the brief never acks anything). */
export const BriefMessageSchema = z.strictObject({
  id: MessageIdSchema,
  /** Absent for codex-team's own notices. */
  from_agent_id: AgentIdSchema.optional(),
  excerpt: z.string(),
});
export type BriefMessage = z.infer<typeof BriefMessageSchema>;

/**
 * The smallest text that lets a fresh thread carry on as this agent: who it is, what it holds
 * (fences and leases), what is waiting for it (unread, never acked by the brief), the team in a
 * few lines, and what to read next by reference. Reading it changes nothing.
 */
export const BriefSchema = z.strictObject({
  me: AgentRefSchema,
  team: TeamRefSchema,
  objective: z.string(),
  claims: z.array(BriefClaimSchema),
  unread: z.strictObject({ count: z.number().int(), oldest: z.array(BriefMessageSchema) }),
  /** Task counts by status, the statuses with none left out. */
  tasks_by_status: z.record(z.string(), z.number().int()),
  /** The team in a few lines: agents, mode, what recovery did since your previous session. */
  state: z.array(z.string()),
  /** What to read next, each as the call that reads it and why. */
  read_next: z.array(z.string()),
  /** The last audit event the brief covers. */
  as_of_seq: z.number().int(),
});
export type Brief = z.infer<typeof BriefSchema>;

export const TeamBriefInputSchema = z.strictObject({});
export const TeamBriefOutputSchema = z.strictObject({ brief: BriefSchema });
