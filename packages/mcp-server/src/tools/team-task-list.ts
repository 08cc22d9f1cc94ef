import { DEFAULTS, taskRow, type Task, type TaskRow } from '@codex-team/contracts';
import { fullTaskRow } from '../answers';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_list: the team's tasks, filtered and paged: short rows by default, whole rows (long
 * texts cut, each naming where to read it whole) with `full`, one task whole with `task_id`.
 */
export function registerTeamTaskList(registry: ToolRegistry): void {
  registry.registerBound('team_task_list', async (input, { store, actor }) => {
    const limit = input.limit ?? (input.full === true ? DEFAULTS.fullListPageSize : DEFAULTS.listPageSize);
    const page = await store.listTasks(actor, { ...input, limit });
    const shape: (task: Task) => Task | TaskRow = input.task_id !== undefined ? (task) => task : input.full === true ? fullTaskRow : taskRow;
    return { tasks: page.tasks.map(shape), next_after: page.next_after };
  });
}
