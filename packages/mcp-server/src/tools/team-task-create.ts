import type { ToolRegistry } from '../tool-registry';

/** team_task_create: adds tasks, a whole DAG in one call. */
export function registerTeamTaskCreate(registry: ToolRegistry): void {
  registry.registerBound('team_task_create', async (input, { store, actor }) => {
    const created = await store.createTasks(actor, input);
    return { ids: created.tasks.map((task) => task.id), keys: created.keys };
  });
}
