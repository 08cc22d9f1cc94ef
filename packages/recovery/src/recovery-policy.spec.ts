import { DEFAULTS, isTeamError } from '@codex-team/contracts';
import { ProfileCatalog } from '@codex-team/policy-engine';
import { DEFAULT_RECOVERY_POLICY, maxAttemptsOf, recoveryPolicy, staleAfterOf } from './recovery-policy';

const shipped = ProfileCatalog.shipped();
const DEFAULT = shipped.find('default').profile;
const DEEP = shipped.find('deep').profile;
const BRIEF = { ...DEFAULT, name: 'brief', idle: { ...DEFAULT.idle, agent_timeout_ms: 10_000 }, lease: { ...DEFAULT.lease, length_ms: 10_000 } };

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
      graceMs: 15_000,
      staleAfterMs: null,
      sweepEveryMs: 5_000,
      heartbeatEveryMs: 20_000,
      retireAfterMs: null,
    });
    // A team whose profile this process cannot load gets the default profile's numbers.
    expect(maxAttemptsOf(DEFAULT_RECOVERY_POLICY, null)).toBe(3);
    expect(staleAfterOf(DEFAULT_RECOVERY_POLICY, null)).toBe(600_000);
    expect(maxAttemptsOf(DEFAULT_RECOVERY_POLICY, DEEP)).toBe(5);
  });

  it("takes the stale time from the team's profile, never under two leases or four heartbeat intervals, unless given for every team", () => {
    expect(staleAfterOf(recoveryPolicy({}), DEEP)).toBe(1_800_000);
    expect(staleAfterOf(recoveryPolicy({ leaseMs: 10_000 }), BRIEF)).toBe(4 * 20_000);
    expect(staleAfterOf(recoveryPolicy({}), BRIEF)).toBe(2 * 60_000);
    expect(staleAfterOf(recoveryPolicy({ leaseMs: 300 }), null)).toBe(600_000);
    expect(staleAfterOf(recoveryPolicy({ leaseMs: 3_600_000 }), null)).toBe(7_200_000);
    expect(staleAfterOf(recoveryPolicy({ staleAfterMs: 90_000 }), DEEP)).toBe(90_000);
  });

  it('refuses numbers out of range, and a stale time not longer than a lease', () => {
    expect(refusal(() => recoveryPolicy({ maxAttempts: 0 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ graceMs: -1 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ sweepEveryMs: 1.5 }))).toMatch(/^INVALID_INPUT/);
    expect(refusal(() => recoveryPolicy({ leaseMs: 10_000, staleAfterMs: 10_000 }))).toMatch(/^INVALID_INPUT.*staleAfterMs/);
    expect(refusal(() => recoveryPolicy({ sweepEveryMs: 0, graceMs: 0 }))).toBe('accepted');
  });
});
