import type { ToolRegistry } from '../tool-registry';

/** team_task_list: the team's tasks, filtered and paged. */
export function registerTeamTaskList(registry: ToolRegistry): void {
  registry.registerBound('team_task_list', (input, { store, actor }) => store.listTasks(actor, input));
}
