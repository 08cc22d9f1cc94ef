import { claimableTasks } from '../claimable-tasks';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_next: claims the highest-priority ready task for the caller's role, with this server's
 * lease, among the kinds of task the caller's permissions allow.
 */
export function registerTeamTaskNext(registry: ToolRegistry): void {
  registry.registerBound('team_task_next', (_input, { store, actor, leaseMs, permission }) =>
    store.claimNextTask(actor, { leaseMs, claimable: claimableTasks(permission) }),
  );
}
