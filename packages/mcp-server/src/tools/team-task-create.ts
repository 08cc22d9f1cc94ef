import type { ToolRegistry } from '../tool-registry';

/** team_task_create: adds tasks, a whole DAG in one call. */
export function registerTeamTaskCreate(registry: ToolRegistry): void {
  registry.registerBound('team_task_create', (input, { store, actor }) => store.createTasks(actor, input));
}
