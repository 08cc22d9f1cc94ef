import type { ToolRegistry } from '../tool-registry';

/** team_task_complete: the holder finishes its task with evidence; the store checks owner, fence and lease. */
export function registerTeamTaskComplete(registry: ToolRegistry): void {
  registry.registerBound('team_task_complete', (input, { store, actor }) => store.completeTask(actor, input));
}
