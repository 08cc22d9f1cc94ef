import { z } from 'zod';
import { ArtifactIdSchema, MessageIdSchema, TaskIdSchema } from '../entities';
import { LIMITS } from '../limits';
import { UsageSampleSchema } from '../profile';
import { MessageRowSchema, programOnly } from './compact-rows';
import { TeamArgSchema } from './hierarchy-tools';

export const SendInputSchema = z.strictObject({
  // One string rather than a union: an `anyOf` would cost every agent its bytes on every turn.
  to: z
    .string()
    .regex(/^(\*|ag_[a-z2-7]{8,32})$/, 'an agent id of your team (ag_...), or "*" for every other agent')
    .meta({ docs: 'An agent id of your team, or "*" to broadcast to every other agent' }),
  /** Keep it short: publish large content as an artifact and reference it. */
  body: z.string().min(1),
  artifact_refs: z.array(ArtifactIdSchema).max(LIMITS.artifactRefsPerMessageMax).default([]),
  idempotency_key: programOnly(z.string().min(1).max(LIMITS.idempotencyKeyMaxChars).optional(), 'a retried send with the same key is stored once'),
  task_id: programOnly(TaskIdSchema.optional(), 'the message is about a task you hold (give its fence too)'),
  fence: programOnly(z.number().int().min(0).optional(), 'the fence of your claim on task_id'),
  consensus: z.boolean().optional().meta({ docs: 'Lead only: the work is agreed done; no new claims, the team is ready to finalize' }),
  team: TeamArgSchema.optional(),
});
export const SendOutputSchema = z.strictObject({
  message_id: MessageIdSchema,
  /** A retry with the same idempotency_key: the message was stored by the first send. */
  duplicate: z.boolean(),
});

export const InboxInputSchema = z.strictObject({
  /** Message ids you have handled; acked messages are not returned again. */
  ack: z.array(MessageIdSchema).max(LIMITS.ackPerCallMax).default([]),
  limit: programOnly(z.number().int().min(1).max(LIMITS.inboxPageMax).optional(), 'messages a page, 50 by default'),
  usage: programOnly(UsageSampleSchema.optional(), 'tokens of your turn, charged to the team budget'),
  team: TeamArgSchema.optional(),
});
export const InboxOutputSchema = z.strictObject({
  messages: z.array(MessageRowSchema),
  acked: z.number().int(),
  /** Unread messages beyond this page. */
  remaining: z.number().int(),
});
