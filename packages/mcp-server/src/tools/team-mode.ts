import { TeamModeSchema, type TeamModeState } from '@codex-team/contracts';
import { decideModeTransition, gatesOf } from '@codex-team/policy-engine';
import type { ToolRegistry } from '../tool-registry';

function gates(mode: TeamModeState) {
  return gatesOf(mode.current).map(({ rule, refuses, reason }) => ({ rule, refuses, reason }));
}

/**
 * team_mode (lead). Without `mode`: the team's mode as it applies now, what it refuses, and the
 * transition table's answer for every other mode from here (with the lead's held tasks, which bar
 * delegate). With `mode`: a change, if the transition table allows it, in one store transaction
 * that also records it (`mode.set`, with the mode before); a refused change leaves the mode as it
 * was and is audited as `policy.deny` with the table's rule. Every server process reads the team
 * row on each call, so a new mode applies to every agent's next call.
 */
export function registerTeamMode(registry: ToolRegistry): void {
  registry.registerBound('team_mode', async (input, { store, actor, bound }) => {
    if (input.mode !== undefined) {
      const changed = await store.setMode(actor, {
        mode: input.mode,
        reason: input.reason ?? '',
        ...(input.ttl_ms === undefined ? {} : { ttlMs: input.ttl_ms }),
      });
      return { mode: changed.mode, gates: gates(changed.mode), previous: changed.previous, in_flight_task_ids: changed.inFlightTaskIds };
    }
    // The session check read the team with any lapsed temporary mode already returned.
    const { mode } = bound.team;
    const held = await store.listTasks(actor, { status: ['in_progress'], owner_agent_id: actor.agentId, limit: 100 });
    const leadHeldTaskIds = held.tasks.map((task) => task.id);
    return {
      mode,
      gates: gates(mode),
      transitions: TeamModeSchema.options
        .filter((to) => to !== mode.current)
        .map((to) => {
          const decision = decideModeTransition({ from: mode, to, ttlMs: undefined, leadHeldTaskIds });
          return { to, allowed: decision.decision === 'allow', rule: decision.rule, reason: decision.reason };
        }),
    };
  });
}
