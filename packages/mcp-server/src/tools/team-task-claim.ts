import { claimableTasks } from '../claimable-tasks';
import type { ToolRegistry } from '../tool-registry';

/** team_task_claim: claims one ready task by id, with this server's lease, if its kind is allowed. */
export function registerTeamTaskClaim(registry: ToolRegistry): void {
  registry.registerBound('team_task_claim', (input, { store, actor, leaseMs, permission }) =>
    store.claimTask(actor, input, { leaseMs, claimable: claimableTasks(permission) }),
  );
}
