import { z } from 'zod';
import { AgentIdSchema, ArtifactIdSchema, MessageIdSchema, MessageSchema, TaskIdSchema } from '../entities';
import { LIMITS } from '../limits';
import { UsageSampleSchema } from '../profile';
import { TeamArgSchema } from './hierarchy-tools';

export const SendInputSchema = z.strictObject({
  to: z
    .union([AgentIdSchema, z.literal('*')])
    .describe('An agent id of your team, or "*" to broadcast to all others'),
  body: z.string().min(1).describe('Keep it short; publish large content as an artifact and reference it'),
  artifact_refs: z.array(ArtifactIdSchema).max(LIMITS.artifactRefsPerMessageMax).default([]),
  idempotency_key: z
    .string()
    .min(1)
    .max(LIMITS.idempotencyKeyMaxChars)
    .optional()
    .describe('A retried send with the same key is stored once'),
  task_id: TaskIdSchema.optional().describe('About a task you hold (needs fence)'),
  fence: z.number().int().min(0).optional(),
  consensus: z
    .boolean()
    .optional()
    .describe('Lead only: the work is agreed done; no new claims, the team is ready to finalize'),
  team: TeamArgSchema.optional(),
});
export const SendOutputSchema = z.strictObject({
  message: MessageSchema,
  duplicate: z.boolean(),
});

export const InboxInputSchema = z.strictObject({
  ack: z
    .array(MessageIdSchema)
    .max(LIMITS.ackPerCallMax)
    .default([])
    .describe('Message ids you have handled; acked messages are not returned again'),
  limit: z.number().int().min(1).max(LIMITS.inboxPageMax).optional(),
  usage: UsageSampleSchema.optional().describe('Tokens of your turn, charged to the team budget'),
  team: TeamArgSchema.optional(),
});
export const InboxOutputSchema = z.strictObject({
  messages: z.array(MessageSchema),
  acked: z.number().int(),
  /** Unread messages beyond this page. */
  remaining: z.number().int(),
});
