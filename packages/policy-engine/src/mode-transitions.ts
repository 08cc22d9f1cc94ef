import { TeamModeSchema, type TeamMode, type TeamModeState } from '@codex-team/contracts';
import { allow, deny, type PolicyDecision } from './decision';

/** One edge of the transition table: whether the lead may take a team from one mode to another. */
export interface ModeTransitionEdge {
  from: TeamMode;
  to: TeamMode;
  allowed: boolean;
  rule: string;
  /** Why the edge exists or not, and what else it needs (documentation and refusals). */
  reason: string;
}

const MODES: readonly TeamMode[] = TeamModeSchema.options;

/** Why the lead may move the team into each mode, and what else that needs. */
const REASON_BY_TARGET: Record<TeamMode, string> = {
  default: 'back to no gates; default is where temporary modes return, so it takes no ttl',
  plan: 'planning only; tasks already held may be reported on or released, not completed',
  delegate: 'the lead stops doing work itself; it must hold no task in progress (complete or release them first)',
};

function edge(from: TeamMode, to: TeamMode): ModeTransitionEdge {
  if (from === to) {
    return { from, to, allowed: false, rule: 'mode.transition:unchanged', reason: `the team is already in ${to} mode` };
  }
  return { from, to, allowed: true, rule: `mode.transition:${from}->${to}`, reason: REASON_BY_TARGET[to] };
}

/** The whole transition table, every (from, to) pair in mode order; docs/modes.md is made from it. */
export const MODE_TRANSITIONS: readonly ModeTransitionEdge[] = MODES.flatMap((from) => MODES.map((to) => edge(from, to)));

/** What a transition request is decided on, read inside the store's write transaction. */
export interface ModeTransitionFacts {
  /** The team's mode as it applies now (a lapsed TTL already applied). */
  from: TeamModeState;
  to: TeamMode;
  ttlMs: number | undefined;
  /** Tasks the lead holds in progress; delegate mode would strand them. */
  leadHeldTaskIds: readonly string[];
}

/** The table's answer for this request, with the guards applied; deny leaves the mode unchanged. */
export function decideModeTransition(facts: ModeTransitionFacts): PolicyDecision {
  const found = edge(facts.from.current, facts.to);
  if (!found.allowed) return deny(found.rule, found.reason);
  if (facts.to === 'default' && facts.ttlMs !== undefined) {
    return deny('mode.transition:default-is-lasting', 'default mode takes no ttl: it is where temporary modes return');
  }
  if (facts.to === 'delegate' && facts.leadHeldTaskIds.length > 0) {
    return deny(
      'mode.transition:lead-holds-work',
      `the lead holds ${facts.leadHeldTaskIds.length} task(s) in progress (${facts.leadHeldTaskIds.join(', ')}); ` +
        'complete or release them before delegating',
    );
  }
  const temporary = facts.ttlMs === undefined ? '' : ` for ${facts.ttlMs} ms`;
  return allow(found.rule, `${facts.from.current} -> ${facts.to}${temporary}: ${found.reason}`);
}
