import { TeamModeSchema } from '@codex-team/contracts';
import { decideModeTransition, gatesOf } from '@codex-team/policy-engine';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_mode_get (lead): the team's mode as it applies now, what it refuses, and the transition
 * table's answer for every other mode from here (with the lead's held tasks, which bar delegate).
 */
export function registerTeamModeGet(registry: ToolRegistry): void {
  registry.registerBound('team_mode_get', async (_input, { store, actor, bound }) => {
    // The session check read the team with any lapsed temporary mode already returned.
    const { mode } = bound.team;
    const held = await store.listTasks(actor, { status: ['in_progress'], owner_agent_id: actor.agentId, limit: 100 });
    const leadHeldTaskIds = held.tasks.map((task) => task.id);
    return {
      mode,
      gates: gatesOf(mode.current).map(({ rule, refuses, reason }) => ({ rule, refuses, reason })),
      transitions: TeamModeSchema.options
        .filter((to) => to !== mode.current)
        .map((to) => {
          const decision = decideModeTransition({ from: mode, to, ttlMs: undefined, leadHeldTaskIds });
          return { to, allowed: decision.decision === 'allow', rule: decision.rule, reason: decision.reason };
        }),
    };
  });
}
