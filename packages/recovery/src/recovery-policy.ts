import { DEFAULTS, TeamError, type Profile } from '@codex-team/contracts';
import type { RebalanceSettings } from '@codex-team/scheduler';

/** What recovery needs of one policy profile; the sweep reads it from the team's view. */
export interface ProfileRecoveryFacts {
  /** lease.max_attempts */
  maxAttempts: number;
  /** idle.agent_timeout_ms: how long a teammate may be silent before it counts as gone. */
  agentTimeoutMs: number;
  /** lease.length_ms */
  leaseMs: number;
}

/** The recovery facts of a profile; a team whose profile the store does not know gets FALLBACK_PROFILE's. */
export function recoveryFactsOf(profile: Profile | null): ProfileRecoveryFacts {
  if (profile === null) return FALLBACK_PROFILE;
  return { maxAttempts: profile.lease.max_attempts, agentTimeoutMs: profile.idle.agent_timeout_ms, leaseMs: profile.lease.length_ms };
}

/**
 * The numbers recovery decides with. The server builds one from its arguments; where an argument
 * was not given, each team's policy profile decides (see `profiles`).
 */
export interface RecoveryPolicy {
  /**
   * How long a claim stays valid without renewal; the holder must renew before it passes.
   * @default 60000 (DEFAULTS.leaseMs, profile lease.length_ms)
   */
  leaseMs: number;
  /**
   * Claims of one task before a lost claim fails it instead of returning it to the pool, for every
   * team (`--max-attempts`). null: each team's profile decides (lease.max_attempts), and a profile
   * the store does not know gets FALLBACK_PROFILE's. @default null
   */
  maxAttempts: number | null;
  /**
   * How long the tasks of an agent whose session ended stay its own, so that a restarted session can
   * take them back with team_resume before they return to the pool.
   * @default 15000
   */
  graceMs: number;
  /**
   * A teammate not heard from for this long is lost (or retired, with the profile's
   * idle.retire_idle_agents): it stops holding a thread slot and its claims return to the pool. An
   * invitation not taken up for this long is withdrawn. Given (`--stale-ms`), it holds for every
   * team; null: each team's profile's idle.agent_timeout_ms decides (staleAfterOf). Generous, because a
   * silent agent may be thinking or running a long command; a crashed one's claims come back at
   * their lease's end anyway, and a session that ends (SIGTERM, stdin closed) frees its slot at once.
   * @default null
   */
  staleAfterMs: number | null;
  /**
   * How often every server process sweeps (leases, lost and idle teammates, idle teams, mode
   * lapses: the one sweep timer of a process); 0 turns the timer off. @default 5000
   */
  sweepEveryMs: number;
  /**
   * Calls renew the caller's heartbeat at most this often (each renewal is one write and one audit
   * event): 20000, or a quarter of a shorter given stale time, so a busy agent is never taken for
   * lost (staleAfterOf keeps every profile's stale time at least four of these).
   * @default 20000
   */
  heartbeatEveryMs: number;
  /**
   * How long an idle teammate the rebalancing controller finds a surplus stays one before it is
   * told to retire (the controller's retire_after_ms, its hysteresis; `--retire-after-ms`). null:
   * the controller's default (scheduler's DEFAULT_REBALANCE_SETTINGS). @default null
   */
  retireAfterMs: number | null;
}

/** Everything of a RecoveryPolicy that may be given; the rest comes from the defaults. */
export type RecoveryPolicyOptions = Partial<Omit<RecoveryPolicy, 'heartbeatEveryMs'>>;

/** The default profile's numbers: a team whose profile the sweeping process cannot load gets them. */
export const FALLBACK_PROFILE: ProfileRecoveryFacts = { maxAttempts: 3, agentTimeoutMs: 600_000, leaseMs: DEFAULTS.leaseMs };

/** Profile default lease.renew_every_ms: a third of the default lease. */
const RENEW_EVERY_MS = 20_000;

function requireWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TeamError('INVALID_INPUT', `${name} must be a whole number from ${min} to ${max}`, { [name]: value });
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A complete, checked policy from the given numbers and the defaults. INVALID_INPUT when a number is
 * out of range, or when the stale time is not longer than one lease (a holder renewing its lease on
 * time must never be taken for lost).
 */
export function recoveryPolicy(options: RecoveryPolicyOptions): RecoveryPolicy {
  const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
  const staleAfterMs = options.staleAfterMs ?? null;
  const policy: RecoveryPolicy = {
    leaseMs,
    maxAttempts: options.maxAttempts ?? null,
    graceMs: options.graceMs ?? 15_000,
    staleAfterMs,
    sweepEveryMs: options.sweepEveryMs ?? 5_000,
    heartbeatEveryMs: Math.max(1, Math.min(RENEW_EVERY_MS, Math.floor((staleAfterMs ?? Infinity) / 4))),
    retireAfterMs: options.retireAfterMs ?? null,
  };
  requireWhole('leaseMs', policy.leaseMs, 1, DAY_MS);
  if (policy.maxAttempts !== null) requireWhole('maxAttempts', policy.maxAttempts, 1, 20);
  requireWhole('graceMs', policy.graceMs, 0, DAY_MS);
  if (policy.staleAfterMs !== null) requireWhole('staleAfterMs', policy.staleAfterMs, 1, 7 * DAY_MS);
  requireWhole('sweepEveryMs', policy.sweepEveryMs, 0, DAY_MS);
  if (policy.retireAfterMs !== null) requireWhole('retireAfterMs', policy.retireAfterMs, 0, DAY_MS);
  if (policy.staleAfterMs !== null && policy.staleAfterMs <= policy.leaseMs) {
    throw new TeamError('INVALID_INPUT', 'staleAfterMs must be longer than leaseMs: a holder renewing on time is not lost', {
      staleAfterMs: policy.staleAfterMs,
      leaseMs: policy.leaseMs,
    });
  }
  return policy;
}

/** The policy of a server given no numbers: the default profile's lease and attempts. */
export const DEFAULT_RECOVERY_POLICY: RecoveryPolicy = recoveryPolicy({});

/** The claims a task of a team with this profile may use before a lost claim fails it. */
export function maxAttemptsOf(policy: RecoveryPolicy, profile: Profile | null): number {
  return policy.maxAttempts ?? recoveryFactsOf(profile).maxAttempts;
}

/**
 * How long a teammate of a team with this profile may be silent before recovery takes it for lost:
 * the given stale time, else the profile's idle.agent_timeout_ms, never less than two leases (the
 * server's and the profile's: a holder renewing on time is not lost) or four heartbeat intervals
 * (a busy agent records a heartbeat at most every heartbeatEveryMs).
 */
export function staleAfterOf(policy: RecoveryPolicy, profile: Profile | null): number {
  if (policy.staleAfterMs !== null) return policy.staleAfterMs;
  const facts = recoveryFactsOf(profile);
  return Math.max(facts.agentTimeoutMs, 2 * Math.max(policy.leaseMs, facts.leaseMs), 4 * policy.heartbeatEveryMs);
}

/** The rebalancing controller's settings this policy gives (the rest are the controller's defaults). */
export function rebalanceSettingsOf(policy: RecoveryPolicy): Partial<RebalanceSettings> {
  return policy.retireAfterMs === null ? {} : { retire_after_ms: policy.retireAfterMs };
}
