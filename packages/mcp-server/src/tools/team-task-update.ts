import { taskRow } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_update: the holder's progress (renewing the lease by the team profile's length), or an
 * edit or cancel by creator or lead.
 */
export function registerTeamTaskUpdate(registry: ToolRegistry): void {
  registry.registerBound('team_task_update', async (input, { store, actor, bound, policy }) => {
    const changed = await store.updateTask(actor, input, { leaseMs: policy.leaseMsFor(bound.team) });
    return { task: taskRow(changed.task), lease_expires_at: changed.lease_expires_at };
  });
}
