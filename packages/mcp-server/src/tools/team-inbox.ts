import type { ToolRegistry } from '../tool-registry';

/**
 * team_inbox: charges the turn's usage sample (if any) to the team's budget, acks handled messages,
 * then returns unread ones, oldest first.
 */
export function registerTeamInbox(registry: ToolRegistry): void {
  registry.registerBound('team_inbox', async (input, { store, actor }) => {
    if (input.usage !== undefined) await store.recordUsage(actor, { sample: input.usage });
    return store.readInbox(actor, input);
  });
}
