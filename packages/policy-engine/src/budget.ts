import { LIMITS, TeamError, UsageSampleSchema, type Profile, type UsageSample } from '@codex-team/contracts';
import { allow, deny, type PolicyDecision } from './decision';

export type BudgetStateName = 'ok' | 'soft_exceeded' | 'hard_exceeded';

export interface BudgetState {
  state: BudgetStateName;
  used_tokens: number;
  soft_tokens: number;
  hard_tokens: number;
  /** Tokens left before the hard budget; 0 once it is reached. */
  remaining_tokens: number;
  reason: string;
}

/** What a team may do at the hard budget: neither add agents nor hand out work. */
export type BudgetedAction = 'spawn' | 'claim';

function checkUsed(usedTokens: number): void {
  if (!Number.isFinite(usedTokens) || usedTokens < 0) {
    throw new TeamError('INVALID_INPUT', `used tokens must be a non-negative number, got ${usedTokens}`);
  }
}

/**
 * Where `usedTokens` stands against the profile's budget: `ok` below soft_tokens, `soft_exceeded`
 * from soft_tokens on, `hard_exceeded` from hard_tokens on. Throws `INVALID_INPUT` on a negative count.
 */
export function budgetState(profile: Profile, usedTokens: number): BudgetState {
  checkUsed(usedTokens);
  const { soft_tokens, hard_tokens } = profile.budget;
  const remaining_tokens = Math.max(0, hard_tokens - usedTokens);
  const base = { used_tokens: usedTokens, soft_tokens, hard_tokens, remaining_tokens };
  const of = `${usedTokens} of ${hard_tokens} tokens used (profile ${profile.name})`;
  if (usedTokens >= hard_tokens) {
    return { ...base, state: 'hard_exceeded', reason: `hard budget reached: ${of}; no new spawns or claims` };
  }
  if (usedTokens >= soft_tokens) {
    return { ...base, state: 'soft_exceeded', reason: `soft budget of ${soft_tokens} passed: ${of}; the team shrinks` };
  }
  return { ...base, state: 'ok', reason: `within budget: ${of}, soft limit ${soft_tokens}` };
}

/** Tokens one usage sample charges: input plus output (cached input is already inside input). */
export function tokensOf(sample: UsageSample): number {
  const parsed = UsageSampleSchema.safeParse(sample);
  if (!parsed.success) {
    throw new TeamError('INVALID_INPUT', `usage sample is invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data.input_tokens + parsed.data.output_tokens;
}

export interface UsageCharge {
  charged_tokens: number;
  /** The team's total after this sample. */
  used_tokens: number;
  budget: BudgetState;
  /** The budget line this sample crossed, if any: the moment to tell the lead. */
  crossed: 'soft' | 'hard' | null;
}

/**
 * Charges one reported usage sample to a team that had used `usedTokens`. Pure: the caller stores
 * the new total. Throws `INVALID_INPUT` on a malformed sample or a negative total.
 */
export function chargeUsage(profile: Profile, usedTokens: number, sample: UsageSample): UsageCharge {
  const before = budgetState(profile, usedTokens);
  const charged_tokens = tokensOf(sample);
  const budget = budgetState(profile, usedTokens + charged_tokens);
  const crossed =
    budget.state === before.state ? null : budget.state === 'hard_exceeded' ? 'hard' : budget.state === 'soft_exceeded' ? 'soft' : null;
  return { charged_tokens, used_tokens: budget.used_tokens, budget, crossed };
}

/** Whether the budget still allows a new spawn or claim: denied from the hard budget on. */
export function budgetGate(profile: Profile, usedTokens: number, action: BudgetedAction): PolicyDecision {
  const state = budgetState(profile, usedTokens);
  if (state.state === 'hard_exceeded') {
    return deny('budget.hard_tokens', `no new ${action}: ${state.reason}`);
  }
  return allow(state.state === 'ok' ? 'budget' : 'budget.soft_tokens', state.reason);
}

/**
 * Throws TeamError `LIMIT_EXCEEDED` when the hard budget forbids a new spawn or claim; the message
 * says what to do next. Returns the allow decision otherwise.
 */
export function assertBudgetAllows(profile: Profile, usedTokens: number, action: BudgetedAction): PolicyDecision {
  const gate = budgetGate(profile, usedTokens, action);
  if (gate.decision === 'deny') {
    throw new TeamError(
      'LIMIT_EXCEEDED',
      `token budget exhausted: ${usedTokens} of ${profile.budget.hard_tokens} tokens used ` +
        `(profile ${profile.name}, budget.hard_tokens); no new ${action}. ` +
        'Finish or finalize the work in progress, or start a team under a profile with a larger budget.',
      { rule: gate.rule, action, used_tokens: usedTokens, hard_tokens: profile.budget.hard_tokens },
    );
  }
  return gate;
}

/**
 * How many teammates the budget allows out of `bandMax`: all of them below soft_tokens, then
 * linearly fewer (rounded up, so at least one) until hard_tokens, and none from there on.
 * Non-increasing in `usedTokens`.
 */
export function budgetCeiling(profile: Profile, usedTokens: number, bandMax: number): { ceiling: number; reason: string } {
  const state = budgetState(profile, usedTokens);
  const { soft_tokens: soft, hard_tokens: hard } = profile.budget;
  if (state.state === 'hard_exceeded') return { ceiling: 0, reason: `${state.reason}: ceiling 0 agents` };
  if (state.state === 'ok') return { ceiling: bandMax, reason: `${state.reason}: ceiling ${bandMax} agents` };
  const ceiling = Math.ceil((bandMax * (hard - usedTokens)) / (hard - soft));
  const left = Math.round((100 * (hard - usedTokens)) / (hard - soft));
  return {
    ceiling,
    reason: `${state.reason}: ${left}% of the soft-to-hard margin left, ceiling ${ceiling} of ${bandMax} agents`,
  };
}

/** The window of the per-agent usage bound, in milliseconds. */
export const USAGE_RATE_WINDOW_MS = 60_000;

/** What the per-agent usage bound decides on. */
export interface UsageRateFacts {
  /** Tokens this agent's accepted reports charged within the last USAGE_RATE_WINDOW_MS. */
  recentTokens: number;
  /** The report to decide on. */
  sample: UsageSample;
}

/**
 * Whether one more usage report of an agent is plausible: its reports within a minute may charge
 * at most LIMITS.usageTokensPerAgentMinuteMax tokens. Pure: the caller (the store, inside the
 * report's transaction) supplies the agent's recent charge; a refused report charges nothing and is
 * recorded with rule `usage.per_minute`. Throws INVALID_INPUT on a malformed sample.
 */
export function decideUsageRate(facts: UsageRateFacts): PolicyDecision {
  checkUsed(facts.recentTokens);
  const tokens = tokensOf(facts.sample);
  const max = LIMITS.usageTokensPerAgentMinuteMax;
  const total = facts.recentTokens + tokens;
  if (total > max) {
    return deny(
      'usage.per_minute',
      `usage report of ${tokens} tokens refused: with the ${facts.recentTokens} reported in the last minute it would pass ${max} tokens a minute for one agent`,
    );
  }
  return allow('usage.per_minute', `${total} of ${max} tokens a minute reported by this agent`);
}
