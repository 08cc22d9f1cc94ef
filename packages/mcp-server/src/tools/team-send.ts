import type { ToolRegistry } from '../tool-registry';

/**
 * team_send: a direct message or a broadcast; a retried idempotency key is stored once. Bodies over
 * the team profile's messages.body_max_bytes are refused by the store (and the refusal audited)
 * with a hint to publish an artifact and reference it.
 */
export function registerTeamSend(registry: ToolRegistry): void {
  registry.registerBound('team_send', async (input, { store, actor }) => {
    const sent = await store.sendMessage(actor, input);
    return { message_id: sent.message.id, duplicate: sent.duplicate };
  });
}
