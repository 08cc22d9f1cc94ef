import type { ToolRegistry } from '../tool-registry';

/** team_send: a direct message or a broadcast; a retried idempotency key is stored once. */
export function registerTeamSend(registry: ToolRegistry): void {
  registry.registerBound('team_send', (input, { store, actor }) => store.sendMessage(actor, input));
}
