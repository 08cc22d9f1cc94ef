import { DEFAULTS, isTeamError } from '@codex-team/contracts';
import { DEFAULT_RECOVERY_POLICY, maxAttemptsOf, recoveryPolicy } from './recovery-policy';

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
      maxAttemptsByProfile: {},
      graceMs: 15_000,
      staleAfterMs: 600_000,
      sweepEveryMs: 5_000,
      heartbeatEveryMs: 20_000,
    });
    expect(maxAttemptsOf(DEFAULT_RECOVERY_POLICY, 'a-profile-nobody-loaded')).toBe(3);
    expect(maxAttemptsOf({ ...DEFAULT_RECOVERY_POLICY, maxAttemptsByProfile: { deep: 5 } }, 'deep')).toBe(5);
  });

  it('keeps the stale time at least two leases when only the lease is given', () => {
    expect(recoveryPolicy({ leaseMs: 300 }).staleAfterMs).toBe(600_000);
    expect(recoveryPolicy({ leaseMs: 3_600_000 }).staleAfterMs).toBe(7_200_000);
  });

  it('refuses numbers out of range, and a stale time not longer than a lease', () => {
    expect(refusal(() => recoveryPolicy({ maxAttempts: 0 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ graceMs: -1 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ sweepEveryMs: 1.5 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ leaseMs: 10_000, staleAfterMs: 10_000 }))).toMatch(/^INVALID_INPUT.*staleAfterMs/);
    expect(refusal(() => recoveryPolicy({ sweepEveryMs: 0, graceMs: 0 }))).toBe('accepted');
  });
});
