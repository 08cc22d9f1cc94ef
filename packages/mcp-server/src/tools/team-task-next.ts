import type { ToolRegistry } from '../tool-registry';

/** team_task_next: claims the highest-priority ready task for the caller's role, with this server's lease. */
export function registerTeamTaskNext(registry: ToolRegistry): void {
  registry.registerBound('team_task_next', (_input, { store, actor, leaseMs }) =>
    store.claimNextTask(actor, { leaseMs }),
  );
}
