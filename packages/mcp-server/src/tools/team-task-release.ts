import { taskRow } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/** team_task_release: the holder gives its task back to the ready pool. */
export function registerTeamTaskRelease(registry: ToolRegistry): void {
  registry.registerBound('team_task_release', async (input, { store, actor }) => ({
    task: taskRow((await store.releaseTask(actor, input)).task),
  }));
}
