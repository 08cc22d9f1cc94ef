import type { ToolRegistry } from '../tool-registry';

/** team_finalize (lead): closes the team, refusing while tasks are unfinished unless forced. */
export function registerTeamFinalize(registry: ToolRegistry): void {
  registry.registerBound('team_finalize', (input, { store, actor }) => store.finalizeTeam(actor, input));
}
