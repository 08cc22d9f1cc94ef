import type { ToolRegistry } from '../tool-registry';

/** team_inbox: acks handled messages, then returns unread ones, oldest first. */
export function registerTeamInbox(registry: ToolRegistry): void {
  registry.registerBound('team_inbox', (input, { store, actor }) => store.readInbox(actor, input));
}
