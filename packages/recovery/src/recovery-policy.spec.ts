import { DEFAULTS, isTeamError } from '@codex-team/contracts';
import { DEFAULT_RECOVERY_POLICY, maxAttemptsOf, recoveryPolicy, staleAfterOf } from './recovery-policy';

const DEEP = { maxAttempts: 5, agentTimeoutMs: 1_800_000, leaseMs: 120_000 };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isTeamError(error) ? `${error.code}: ${JSON.stringify(error.details)}` : String(error);
  }
  return 'accepted';
}

describe('recoveryPolicy', () => {
  it("defaults to the default profile: 60 s leases, each team profile's attempts (else 3), a 15 s grace, lost after 10 min, sweeps every 5 s", () => {
    expect(DEFAULT_RECOVERY_POLICY).toEqual({
      leaseMs: DEFAULTS.leaseMs,
      maxAttempts: null,
      profiles: {},
      graceMs: 15_000,
      staleAfterMs: null,
      sweepEveryMs: 5_000,
      heartbeatEveryMs: 20_000,
    });
    // A team whose profile this process cannot load gets the default profile's numbers.
    expect(maxAttemptsOf(DEFAULT_RECOVERY_POLICY, 'a-profile-nobody-loaded')).toBe(3);
    expect(staleAfterOf(DEFAULT_RECOVERY_POLICY, 'a-profile-nobody-loaded')).toBe(600_000);
    expect(maxAttemptsOf({ ...DEFAULT_RECOVERY_POLICY, profiles: { deep: DEEP } }, 'deep')).toBe(5);
  });

  it("takes the stale time from the team's profile, never under two leases or four heartbeat intervals, unless given for every team", () => {
    const profiles = { deep: DEEP, brief: { maxAttempts: 3, agentTimeoutMs: 10_000, leaseMs: 10_000 } };
    expect(staleAfterOf(recoveryPolicy({ profiles }), 'deep')).toBe(1_800_000);
    expect(staleAfterOf(recoveryPolicy({ profiles, leaseMs: 10_000 }), 'brief')).toBe(4 * 20_000);
    expect(staleAfterOf(recoveryPolicy({ profiles }), 'brief')).toBe(2 * 60_000);
    expect(staleAfterOf(recoveryPolicy({ leaseMs: 300 }), 'unknown')).toBe(600_000);
    expect(staleAfterOf(recoveryPolicy({ leaseMs: 3_600_000 }), 'unknown')).toBe(7_200_000);
    expect(staleAfterOf(recoveryPolicy({ profiles, staleAfterMs: 90_000 }), 'deep')).toBe(90_000);
  });

  it('refuses numbers out of range, and a stale time not longer than a lease', () => {
    expect(refusal(() => recoveryPolicy({ maxAttempts: 0 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ graceMs: -1 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ sweepEveryMs: 1.5 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ leaseMs: 10_000, staleAfterMs: 10_000 }))).toMatch(/^INVALID_INPUT.*staleAfterMs/);
    expect(refusal(() => recoveryPolicy({ sweepEveryMs: 0, graceMs: 0 }))).toBe('accepted');
  });
});
