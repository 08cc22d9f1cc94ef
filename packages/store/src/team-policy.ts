import {
  LIMITS,
  TeamError,
  type Agent,
  type Team,
  type TeamMode,
  type TaskStatus,
  type ToolName,
  type UsageSample,
} from '@codex-team/contracts';

/** The actions a team's budget and early-stop policy may refuse. */
export type AdmittedAction = 'spawn' | 'claim';

/** What a spawn or claim transaction knows when it asks the team's policy. */
export interface AdmissionFacts {
  /** The team as it is inside the transaction, with its current profile name. */
  team: Team;
  action: AdmittedAction;
  actorAgentId: string;
  /** Tokens charged to the team so far. */
  usedTokens: number;
  tasksByStatus: Record<TaskStatus, number>;
  /** When the lead declared consensus (ISO time), or null. */
  consensusAt: string | null;
}

/** What one usage sample charges, and the sentence its audit event records. */
export interface UsageCharge {
  tokens: number;
  reason: string;
  /** The budget line this sample crossed, if any; recorded in the event so summaries find it. */
  crossed?: 'soft' | 'hard' | null;
}

/** One teammate as the idle sweep sees it. */
export interface IdleAgentFacts {
  agent: Agent;
  /** The latest of its join, last_seen_at and the last state change it made, in ms. */
  lastActivityAt: number;
  /** When the sweep marked it idle, in ms, or null. */
  idleSince: number | null;
}

/** A team as the idle sweep sees it, at the server's clock (`now`), never a caller's. */
export interface SweepFacts {
  team: Team;
  now: number;
  /** The time of the team's last state change made by an agent, in ms. */
  lastActivityAt: number;
  /** Its teammates that are not retired (the lead is never swept). */
  agents: IdleAgentFacts[];
}

/** What the sweep does: `idle` marks an agent, `retire` frees its slot, `active` clears a mark. */
export interface SweepPlan {
  agents: { agentId: string; action: 'idle' | 'retire' | 'active'; rule: string; reason: string }[];
  /** Finalize the team (cancelling unfinished tasks) because it is idle as a whole. */
  finalizeTeam: { rule: string; reason: string } | null;
}

/** A request to change the team's mode, with the facts of the transaction it runs in. */
export interface ModeChangeFacts {
  /** The team as it applies now (a lapsed temporary mode already returned). */
  team: Team;
  to: TeamMode;
  ttlMs: number | undefined;
  /** Tasks the lead holds in progress. */
  leadHeldTaskIds: readonly string[];
}

/** The rule that allowed a change of mode and why; the store derives the fields it writes. */
export interface ModeChangeDecision {
  rule: string;
  because: string;
}

/** One call as the mode gate sees it inside the write transaction that carries it out. */
export interface ModeGateFacts {
  team: Team;
  tool: ToolName;
  callerIsLead: boolean;
  /** Actions of the call that matter to a gate (`progress` for a holder's report). */
  actions: readonly string[];
  spawnRole?: string;
  publishesPlan?: boolean;
}

/** A team's thread cap and, in a refusal's words, the limit that sets it. */
export interface ThreadCapVerdict {
  cap: number;
  /** e.g. "Codex's thread cap: ... allows 3 teammates at once". */
  reason: string;
}

/**
 * The team's policy as the store consults it inside its write transactions, so every check sees
 * the team's current profile and the facts of the same transaction. Implementations are pure and
 * synchronous (no awaits inside a transaction) and refuse by throwing a TeamError; the decisions
 * themselves live in the policy engine, the store only supplies facts and applies outcomes.
 */
export interface TeamPolicy {
  /**
   * Most teammates the team may hold at once under its profile and the limits of its Codex, and
   * which limit sets it; the store enforces min(this, max_threads) and names `reason` in refusals.
   */
  threadCap(team: Team): ThreadCapVerdict;
  /** Inside spawn and claim transactions: throws TeamError to refuse the action. */
  admit(facts: AdmissionFacts): void;
  /** Inside recordUsage: the tokens one sample charges, and why. */
  charge(team: Team, usedTokens: number, sample: UsageSample): UsageCharge;
  /** Inside sweepIdle: which teammates to mark idle, retire or clear, and whether to finalize. */
  sweep(facts: SweepFacts): SweepPlan;
  /** Inside setMode: the rule that allows the change; throws TeamError (CONFLICT) to refuse it. */
  changeMode(facts: ModeChangeFacts): ModeChangeDecision;
  /**
   * Inside claims, completions, progress reports, spawns and publishes: throws TeamError DENIED
   * when the team's mode refuses the call. The server's authorization step refuses such calls
   * first; this re-check in the same transaction closes the race with a mode change.
   */
  gateMode(facts: ModeGateFacts): void;
}

/**
 * The policy of a store opened without one (readers such as the CLI, the conformance suite): the
 * contract limits only. No budget, no early stop, no idle sweep, no mode gate (any change of mode);
 * charges input plus output tokens.
 */
export const OPEN_POLICY: TeamPolicy = {
  threadCap: () => ({
    cap: LIMITS.maxThreadsHardCap,
    reason: `the absolute limit allows ${LIMITS.maxThreadsHardCap} teammates at once`,
  }),
  admit: () => undefined,
  charge: (_team, usedTokens, sample) => {
    if (!Number.isSafeInteger(sample.input_tokens) || !Number.isSafeInteger(sample.output_tokens)) {
      throw new TeamError('INVALID_INPUT', 'usage tokens must be whole numbers');
    }
    const tokens = sample.input_tokens + sample.output_tokens;
    return { tokens, reason: `charged ${tokens} tokens; ${usedTokens + tokens} used` };
  },
  sweep: () => ({ agents: [], finalizeTeam: null }),
  changeMode: (facts) => {
    const from = facts.team.mode;
    if (from.current === facts.to) {
      throw new TeamError('CONFLICT', `the team is already in ${facts.to} mode`, { rule: 'mode.transition:unchanged' });
    }
    return { rule: `mode.transition:${from.current}->${facts.to}`, because: 'no policy: any change of mode' };
  },
  gateMode: () => undefined,
};
