import type { AgentState } from '@codex-team/contracts';

/** What the lead-loss rule reads of a team's lead (undefined: retired, or not in the view). */
export interface LeadFacts {
  state: AgentState;
  /** Epoch ms; null when never bound. */
  lastSeenAt: number | null;
  createdAt: number;
  /** Set when another agent plays this lead (a child team's lead played by an ancestor's): never lost. */
  principalAgentId: string | null;
}

/**
 * Why a team's lead is lost, or null while it is not: it is retired (or gone), or its session
 * ended and it did not resume within the grace period. A lead another agent plays is never lost.
 * The one rule for it: recovery reports a child team's lost lead to the parent by it, and the
 * operator's views call an active team whose lead is lost `orphaned` by it (teamCondition).
 */
export function leadLoss(lead: LeadFacts | undefined, now: number, graceMs: number): string | null {
  if (lead === undefined || lead.state === 'retired') return 'it is retired';
  if (lead.principalAgentId !== null) return null;
  const since = lead.lastSeenAt ?? lead.createdAt;
  if (lead.state === 'disconnected' && since + graceMs <= now) {
    return `its session ended ${Math.max(0, now - since)} ms ago and it did not resume within ${graceMs} ms`;
  }
  return null;
}

/** How an operator sees a team: a closed team finalized or cancelled, an open one active or orphaned. */
export type TeamCondition = 'active' | 'orphaned' | 'finalized' | 'cancelled';

/**
 * A team's condition: `cancelled` when the operator cancelled it, `finalized` when it ended
 * otherwise, `orphaned` when it is active but its lead is lost (leadLoss): nobody leads it, so
 * nobody should be advised to spawn for it; `active` otherwise. Pure.
 */
export function teamCondition(
  team: { state: 'active' | 'finalized'; cancelled_at?: string },
  lead: LeadFacts | undefined,
  now: number,
  graceMs: number,
): TeamCondition {
  if (team.state === 'finalized') return team.cancelled_at === undefined ? 'finalized' : 'cancelled';
  return leadLoss(lead, now, graceMs) === null ? 'active' : 'orphaned';
}
