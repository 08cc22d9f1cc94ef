import type { ToolRegistry } from '../tool-registry';

/** team_task_release: the holder gives its task back to the ready pool. */
export function registerTeamTaskRelease(registry: ToolRegistry): void {
  registry.registerBound('team_task_release', (input, { store, actor }) => store.releaseTask(actor, input));
}
