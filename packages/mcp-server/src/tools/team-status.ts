import type { ToolRegistry } from '../tool-registry';

/** team_status: the caller's team, agents, task counts and unread messages. */
export function registerTeamStatus(registry: ToolRegistry): void {
  registry.registerBound('team_status', (_input, { store, actor }) => store.getStatus(actor));
}
