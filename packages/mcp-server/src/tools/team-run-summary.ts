import type { AuditEvent, TeamId } from '@codex-team/contracts';
import type { TeamStore } from '@codex-team/store';
import { runSummary } from '@codex-team/scheduler';
import type { ToolRegistry } from '../tool-registry';

const PAGE = 5_000;

/** Every audit event of a team, page by page. */
export async function allAuditEvents(store: TeamStore, teamId: TeamId): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (;;) {
    const page = await store.listAuditEvents(teamId, { afterSeq: events.at(-1)?.seq ?? 0, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
  }
}

/**
 * team_run_summary: tasks by state, work per agent and role, usage against the budget, durations,
 * the critical path and the decisions taken, measured from the store and its audit trail.
 */
export function registerTeamRunSummary(registry: ToolRegistry): void {
  registry.registerBound('team_run_summary', async (_input, { store, actor, bound, policy, clock }) => {
    const snapshot = await store.readTeam(actor.teamId);
    const events = await allAuditEvents(store, actor.teamId);
    return runSummary(snapshot, events, policy.profileOf(bound.team), clock.now());
  });
}
