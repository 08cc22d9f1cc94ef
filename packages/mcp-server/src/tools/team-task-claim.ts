import type { ToolRegistry } from '../tool-registry';

/** team_task_claim: claims one ready task by id, with this server's lease. */
export function registerTeamTaskClaim(registry: ToolRegistry): void {
  registry.registerBound('team_task_claim', (input, { store, actor, leaseMs }) =>
    store.claimTask(actor, input, { leaseMs }),
  );
}
