import type { ToolRegistry } from '../tool-registry';

/**
 * team_mode_set (lead): changes the team's mode if the transition table allows it, in one store
 * transaction that also records the change (`mode.set`, with the mode before). A refused change
 * leaves the mode as it was and is audited as `policy.deny` with the table's rule. Every server
 * process reads the team row on each call, so the new mode applies to every agent's next call.
 */
export function registerTeamModeSet(registry: ToolRegistry): void {
  registry.registerBound('team_mode_set', async (input, { store, actor }) => {
    const changed = await store.setMode(actor, {
      mode: input.mode,
      reason: input.reason,
      ...(input.ttl_ms === undefined ? {} : { ttlMs: input.ttl_ms }),
    });
    return { mode: changed.mode, previous: changed.previous, in_flight_task_ids: changed.inFlightTaskIds };
  });
}
