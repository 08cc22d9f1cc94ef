import type { ToolRegistry } from '../tool-registry';

/** team_heartbeat: the caller is alive; the claims it names (task_id + fence) get fresh leases of the team's length. */
export function registerTeamHeartbeat(registry: ToolRegistry): void {
  registry.registerBound('team_heartbeat', (input, { store, session, policy, bound, actor }) =>
    store.heartbeatAgent(
      session.requireBinding(),
      { tasks: input.tasks, reinstate: true, ...(actor.authorization === undefined ? {} : { authorization: actor.authorization }) },
      { leaseMs: policy.leaseMsFor(bound.team) },
    ),
  );
}
