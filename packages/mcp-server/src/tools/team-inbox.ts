import type { ToolRegistry } from '../tool-registry';

/**
 * team_inbox: charges the turn's usage sample (if any) to the team's budget, acks handled messages,
 * then returns unread ones, oldest first: one store operation.
 */
export function registerTeamInbox(registry: ToolRegistry): void {
  registry.registerBound('team_inbox', (input, { store, actor }) => store.readInbox(actor, input));
}
