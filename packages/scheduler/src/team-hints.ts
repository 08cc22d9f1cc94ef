import type { Profile, StaffingHints, ToolOutput } from '@codex-team/contracts';
import { budgetState, describeRole, earlyStopVerdict, type BudgetState } from '@codex-team/policy-engine';
import type { TeamSnapshot } from '@codex-team/contracts';
import { staffingHints } from './staffing';

type StatusOutput = ToolOutput<'team_status'>;
/** The hints as the scheduler decides them; team_status answers a compact view (statusHints). */
export type StaffingHintsView = StaffingHints;
export type ReadyToFinalize = StatusOutput['ready_to_finalize'];
export type BudgetView = StaffingHintsView['budget'];

/** The budget as the contracts show it. */
export function budgetView(state: BudgetState): BudgetView {
  return {
    state: state.state,
    used_tokens: state.used_tokens,
    soft_tokens: state.soft_tokens,
    hard_tokens: state.hard_tokens,
    remaining_tokens: state.remaining_tokens,
    reason: state.reason,
  };
}

/** The early-stop verdict of a team as team_status reports it. */
export function readyToFinalize(snapshot: TeamSnapshot, profile: Profile): ReadyToFinalize {
  const counts: Record<string, number> = {};
  for (const task of snapshot.tasks) counts[task.status] = (counts[task.status] ?? 0) + 1;
  const verdict = earlyStopVerdict(profile, counts, snapshot.consensus_at);
  return { ready: verdict.verdict === 'stop', reason: verdict.reason };
}

/**
 * The lead's readiness hints: which roles to spawn now (with what each role is for), under which
 * cap and budget, and which teammates the idle sweep has marked. Pure; from a store snapshot.
 * `outer`, a cap from outside the team (Codex's thread cap, what the team tree leaves it), caps
 * the hints like the profile does: never more spawns than it would allow.
 */
export function teamHints(snapshot: TeamSnapshot, profile: Profile, outer?: { teammates: number; from: string }): StaffingHintsView {
  const hints = staffingHints({
    profile,
    ...(outer === undefined ? {} : { threadCap: outer.teammates, threadCapFrom: outer.from }),
    team: snapshot.team,
    agents: snapshot.agents,
    tasks: snapshot.tasks,
    usedTokens: snapshot.used_tokens,
    consensusAt: snapshot.consensus_at,
  });
  const retired = new Set(snapshot.agents.filter((a) => a.state === 'retired').map((a) => a.id));
  return {
    spawn: hints.spawn.map((s) => ({ role: s.role, count: s.count, purpose: describeRole(s.role).purpose, reasons: s.reasons })),
    target_agents: hints.target_agents,
    cap: hints.cap,
    budget: budgetView(budgetState(profile, snapshot.used_tokens)),
    idle_agent_ids: Object.keys(snapshot.idle_since).filter((id) => !retired.has(id)),
    reasons: hints.reasons,
  };
}

/**
 * What of a recommendation is the decision, for the fanout log: roles and counts, target, cap and
 * budget state. Reasons carry live numbers (tokens used) and are logged beside it, not compared.
 */
export function fanoutDecisionKey(hints: StaffingHintsView): Record<string, unknown> {
  return {
    spawn: hints.spawn.map((s) => ({ role: s.role, count: s.count })),
    target_agents: hints.target_agents,
    cap: hints.cap,
    budget: hints.budget.state,
  };
}
