import {
  LIMITS,
  TOOL_CONTRACTS,
  type Profile,
  type TaskStatus,
  type TeamMode,
  type TeamModeState,
  type ToolName,
  type UsageSample,
} from '@codex-team/contracts';
import { budgetGate, chargeUsage, decideUsageRate, tokensOf, USAGE_RATE_WINDOW_MS, type BudgetedAction, type UsageRateFacts } from './budget';
import type { PolicyRefusal, Ruling } from './decision';
import { earlyStopVerdict } from './guardrails';
import { LONG_BODY_HINT, checkMessageBody } from './message-policy';
import { decideModeTransition } from './mode-transitions';
import { decideModeGate, type ModeCallFacts } from './modes';
import { effectiveThreadCap, type CodexThreadCap } from './thread-cap';

// The team's policy as pure rulings over its profile: the store reads the facts inside its write
// transaction, asks these, applies the answer and logs it. Nothing here throws for a refusal: a
// refusal is data (`PolicyRefusal`) carrying the code and answer the caller gets.

const allowed = (rule: string, reason: string, inputs: Record<string, unknown>): Ruling => ({ decision: 'allow', rule, reason, inputs });

/** A rule's deny as the caller is answered: its code, message and the details of the answer. */
function refused(
  decision: { rule: string; reason: string },
  inputs: Readonly<Record<string, unknown>>,
  answer: Pick<PolicyRefusal, 'code' | 'message' | 'details'>,
): PolicyRefusal {
  return { decision: 'deny', rule: decision.rule, reason: decision.reason, inputs, ...answer };
}

/** A team's thread cap and, in a refusal's words, the limit that sets it. */
export interface ThreadCap {
  cap: number;
  /** e.g. "Codex's thread cap allows 3 teammates at once (multi-agent v2 ...)". */
  reason: string;
}

/**
 * Most teammates the team may hold at once: min(Codex's cap when the store was told it, the
 * profile's threads.hard_cap, the team's max_threads, 6), with the limit that sets it
 * (effectiveThreadCap). The store enforces it and names `reason` in LIMIT_EXCEEDED.
 */
export function threadCapOf(profile: Profile, maxThreads: number, codex: CodexThreadCap | undefined): ThreadCap {
  const { cap, reason } = effectiveThreadCap({ profile, maxThreads, codex });
  return { cap, reason };
}

/** What a spawn or claim is admitted on, as its transaction reads it. */
export interface AdmissionFacts {
  action: BudgetedAction;
  /** Tokens charged to the team so far. */
  usedTokens: number;
  tasksByStatus: Record<TaskStatus, number>;
  /** When the lead declared consensus (ISO time), or null. */
  consensusAt: string | null;
}

/**
 * Whether the team's budget and early stop let it spawn or claim now: no new spawn or claim from
 * the hard budget on (LIMIT_EXCEEDED); no new claim once the lead declared consensus with early
 * stop on (CONFLICT, rule `guardrails.early_stop`, which team_task_next answers as "no claim").
 */
export function admissionRuling(profile: Profile, facts: AdmissionFacts): Ruling {
  const inputs = { action: facts.action, used_tokens: facts.usedTokens, hard_tokens: profile.budget.hard_tokens };
  const gate = budgetGate(profile, facts.usedTokens, facts.action);
  if (gate.decision === 'deny') {
    return refused(gate, inputs, {
      code: 'LIMIT_EXCEEDED',
      message:
        `token budget exhausted: ${facts.usedTokens} of ${profile.budget.hard_tokens} tokens used ` +
        `(profile ${profile.name}, budget.hard_tokens); no new ${facts.action}. ` +
        'Finish or finalize the work in progress, or start a team under a profile with a larger budget.',
      details: { rule: gate.rule, action: facts.action, used_tokens: facts.usedTokens, hard_tokens: profile.budget.hard_tokens },
    });
  }
  // Once every task is finished there is nothing to claim anyway; the refusal matters when the
  // lead declared consensus with work still open.
  if (facts.action === 'claim' && facts.consensusAt !== null) {
    const stop = earlyStopVerdict(profile, facts.tasksByStatus, facts.consensusAt);
    if (stop.verdict === 'stop') {
      return refused(stop, { ...inputs, tasks_by_status: facts.tasksByStatus, consensus_at: facts.consensusAt }, {
        code: 'CONFLICT',
        message: `the team is ready to finalize, so no new claims: ${stop.reason}`,
        details: { rule: stop.rule, reason: stop.reason },
      });
    }
  }
  return allowed(gate.rule, gate.reason, inputs);
}

/** What one usage sample charges, the sentence its audit event records, and the line it crossed. */
export interface UsageRuling {
  tokens: number;
  reason: string;
  /** The budget line this sample crossed, if any; recorded in the event so summaries find it. */
  crossed: 'soft' | 'hard' | null;
  /** The rule that decided, for the log (a crossed budget line, else `budget`). */
  rule: string;
  inputs: Readonly<Record<string, unknown>>;
}

/** Charges one usage sample to a team that had used `usedTokens`. Throws INVALID_INPUT on a malformed sample. */
export function usageRuling(profile: Profile, usedTokens: number, sample: UsageSample): UsageRuling {
  const charge = chargeUsage(profile, usedTokens, sample);
  const crossed = charge.crossed === null ? '' : `; crossed the ${charge.crossed} budget`;
  return {
    tokens: charge.charged_tokens,
    reason: `charged ${charge.charged_tokens} tokens${crossed}: ${charge.budget.reason}`,
    crossed: charge.crossed,
    rule: charge.crossed === null ? 'budget' : `budget.${charge.crossed}_tokens`,
    inputs: { used_tokens: charge.used_tokens, charged: charge.charged_tokens, state: charge.budget.state },
  };
}

/**
 * Whether one more usage report of an agent is plausible (decideUsageRate, rule `usage.per_minute`):
 * a refusal is LIMIT_EXCEEDED carrying the figures; the report then charges nothing. The store asks
 * it inside the report's transaction with the agent's charge over the last USAGE_RATE_WINDOW_MS.
 */
export function usageRateRuling(facts: UsageRateFacts): Ruling {
  const decision = decideUsageRate(facts);
  const tokens = tokensOf(facts.sample);
  const max = LIMITS.usageTokensPerAgentMinuteMax;
  const inputs = { tokens, recent_tokens: facts.recentTokens, max, window_ms: USAGE_RATE_WINDOW_MS };
  if (decision.decision === 'allow') return allowed(decision.rule, decision.reason, inputs);
  return refused(decision, inputs, {
    code: 'LIMIT_EXCEEDED',
    message: `${decision.reason}; nothing was charged. Report usage as it is spent, once per call.`,
    details: { rule: decision.rule, tokens, recent_tokens: facts.recentTokens, max },
  });
}

/** A requested change of mode, with what its transaction knows. */
export interface ModeChangeFacts {
  /** The team's mode as it applies now (a lapsed temporary mode already returned). */
  from: TeamModeState;
  to: TeamMode;
  ttlMs: number | undefined;
  /** Tasks the lead holds in progress; delegate mode would strand them. */
  leadHeldTaskIds: readonly string[];
}

/** The transition table's answer; a refusal is CONFLICT and leaves the mode as it was. */
export function modeChangeRuling(facts: ModeChangeFacts): Ruling {
  const decision = decideModeTransition(facts);
  const inputs = { from: facts.from.current, to: facts.to, ttl_ms: facts.ttlMs ?? null, lead_held: facts.leadHeldTaskIds.length };
  if (decision.decision === 'allow') return allowed(decision.rule, decision.reason, inputs);
  return refused(decision, inputs, {
    code: 'CONFLICT',
    message: `cannot change the mode from ${facts.from.current} to ${facts.to}: ${decision.reason}`,
    details: { rule: decision.rule, from: facts.from.current, to: facts.to },
  });
}

/** Whether the team's mode lets a gated call through; a refusal is DENIED naming the gate. */
export function modeGateRuling(mode: TeamMode, facts: ModeCallFacts): Ruling {
  const decision = decideModeGate(mode, facts);
  const inputs = { mode, tool: facts.tool, lead: facts.callerIsLead };
  if (decision.decision === 'allow') return allowed(decision.rule, decision.reason, inputs);
  return refused(decision, inputs, { code: 'DENIED', message: `${facts.tool} refused in ${mode} mode: ${decision.reason}`, details: { rule: decision.rule, mode } });
}

/** Whether a message body fits the profile's messages.body_max_bytes; a refusal says what to do instead. */
export function messageBodyRuling(profile: Profile, bytes: number): Ruling {
  const decision = checkMessageBody(profile, bytes);
  const inputs = { bytes, limit_bytes: decision.limit_bytes };
  if (decision.decision === 'allow') return allowed(decision.rule, decision.reason, inputs);
  return refused(decision, inputs, {
    code: 'PAYLOAD_TOO_LARGE',
    message: `${decision.reason}; ${LONG_BODY_HINT}`,
    details: { rule: decision.rule, limit_bytes: decision.limit_bytes, bytes, hint: LONG_BODY_HINT },
  });
}

/** Whether `part` of `tool` (an action or flag; the whole tool when absent) is reserved for the lead. */
export function isLeadOnly(tool: ToolName, part?: string): boolean {
  const contract = TOOL_CONTRACTS[tool] as { audience: string; leadOnly?: readonly string[] };
  if (contract.audience === 'lead') return true;
  return part !== undefined && (contract.leadOnly ?? []).includes(part);
}

/**
 * Lead-only, the one rule: lead-audience tools, and the lead-only parts the catalog lists for
 * member tools, are the lead's. `what` says what was asked, for the refusal's sentence.
 */
export function leadOnlyRuling(
  facts: { tool: ToolName; part?: string; callerIsLead: boolean; agentId: string },
  what: string,
): Ruling {
  const rule = facts.part === undefined ? `lead-only(${facts.tool})` : `lead-only(${facts.tool}:${facts.part})`;
  const inputs = { tool: facts.tool, part: facts.part ?? null, lead: facts.callerIsLead };
  if (facts.callerIsLead || !isLeadOnly(facts.tool, facts.part)) return allowed(rule, 'the caller may', inputs);
  return refused({ rule, reason: `only the lead may ${what}` }, inputs, {
    code: 'DENIED',
    message: `only the lead may ${what}`,
    details: { agent_id: facts.agentId },
  });
}

/**
 * The thread count a new team gets: the asked one, else the profile's default lowered to Codex's
 * cap when the store knows it (so the team a lead sees matches what Codex allows); never above the
 * profile's hard cap. An explicit count above Codex's cap is kept: the thread cap still applies it.
 */
export function teamSizeRuling(
  profile: Profile,
  requested: number | undefined,
  codex?: CodexThreadCap,
): Ruling & { maxThreads: number } {
  const fallback = codex === undefined ? profile.threads.default : Math.max(1, Math.min(profile.threads.default, codex.teammates));
  const maxThreads = requested ?? fallback;
  const inputs = {
    requested: requested ?? null,
    default: profile.threads.default,
    hard_cap: profile.threads.hard_cap,
    codex_teammates: codex?.teammates ?? null,
  };
  if (maxThreads <= profile.threads.hard_cap) {
    return { ...allowed('threads.hard_cap', `${maxThreads} threads within ${profile.threads.hard_cap}`, inputs), maxThreads };
  }
  const reason = `max_threads ${maxThreads} exceeds threads.hard_cap ${profile.threads.hard_cap} of profile ${profile.name}`;
  const refusal = refused({ rule: 'threads.hard_cap', reason }, inputs, {
    code: 'INVALID_INPUT',
    message: reason,
    details: { issues: [{ path: 'max_threads', message: `must be at most ${profile.threads.hard_cap} under profile ${profile.name}` }] },
  });
  return { ...refusal, maxThreads };
}

/** A temporary mode's lapse: the mode it returns to, or null while it holds. The one lapse rule. */
export function modeLapse(
  mode: { current: TeamMode; expiresAt: number | null; returnsTo: TeamMode | null },
  now: number,
): { to: TeamMode; reason: string } | null {
  if (mode.expiresAt === null || mode.expiresAt > now) return null;
  return { to: mode.returnsTo ?? 'default', reason: `the temporary ${mode.current} mode lapsed` };
}
