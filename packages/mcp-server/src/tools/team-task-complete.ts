import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_complete: the holder finishes its task with evidence; the store checks owner, fence and
 * lease. A usage sample is charged to the team's budget first: the tokens were spent either way.
 */
export function registerTeamTaskComplete(registry: ToolRegistry): void {
  registry.registerBound('team_task_complete', async (input, { store, actor }) => {
    if (input.usage !== undefined) await store.recordUsage(actor, { sample: input.usage, taskId: input.task_id });
    return store.completeTask(actor, input);
  });
}
