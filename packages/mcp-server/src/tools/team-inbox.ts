import { messageRow } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_inbox: charges the turn's usage sample (if any) to the team's budget, acks handled messages,
 * then returns unread ones, oldest first: one store operation.
 */
export function registerTeamInbox(registry: ToolRegistry): void {
  registry.registerBound('team_inbox', async (input, { store, actor }) => {
    const page = await store.readInbox(actor, input);
    return { messages: page.messages.map(messageRow), acked: page.acked, remaining: page.remaining };
  });
}
