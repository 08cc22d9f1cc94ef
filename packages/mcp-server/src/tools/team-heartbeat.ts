import type { ToolRegistry } from '../tool-registry';

/** team_heartbeat: the caller is alive; the claims it names (task_id + fence) get fresh leases. */
export function registerTeamHeartbeat(registry: ToolRegistry): void {
  registry.registerBound('team_heartbeat', (input, { store, session, leaseMs }) =>
    store.heartbeatAgent(session.requireBinding(), { tasks: input.tasks, reinstate: true }, { leaseMs }),
  );
}
