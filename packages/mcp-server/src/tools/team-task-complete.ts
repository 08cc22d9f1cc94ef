import { taskRow } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_complete: the holder finishes its task with evidence; the store checks owner, fence and
 * lease, and charges the usage sample (if any) in the same transaction: the tokens were spent
 * either way, so a refused completion still charges them.
 */
export function registerTeamTaskComplete(registry: ToolRegistry): void {
  registry.registerBound('team_task_complete', async (input, { store, actor }) => {
    const completed = await store.completeTask(actor, input);
    return { task: taskRow(completed.task), unblocked_task_ids: completed.unblocked_task_ids };
  });
}
