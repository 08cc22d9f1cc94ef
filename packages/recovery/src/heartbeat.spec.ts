import { heartbeatDecision } from './heartbeat';
import { DEFAULT_RECOVERY_POLICY, recoveryPolicy } from './recovery-policy';

describe('heartbeatDecision', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  const policy = { heartbeatEveryMs: 20_000 };

  it('renews at most once per heartbeatEveryMs', () => {
    expect(heartbeatDecision({ state: 'active', last_seen_at: at(19_999) }, now, policy).action).toBe('none');
    expect(heartbeatDecision({ state: 'active', last_seen_at: at(20_000) }, now, policy)).toEqual({
      action: 'renew',
      rule: 'heartbeat.every_ms',
      reason: 'last seen 20000 ms ago, renewed every 20000 ms',
    });
    expect(heartbeatDecision({ state: 'active', last_seen_at: null }, now, policy).action).toBe('renew');
  });

  it('reinstates an agent marked lost that calls again, and leaves other states alone', () => {
    expect(heartbeatDecision({ state: 'disconnected', last_seen_at: at(1) }, now, policy).action).toBe('reinstate');
    expect(heartbeatDecision({ state: 'retired', last_seen_at: at(99_999) }, now, policy).action).toBe('none');
  });

  it('throttles well inside the stale time, so a busy agent is never taken for lost', () => {
    expect(DEFAULT_RECOVERY_POLICY.heartbeatEveryMs).toBe(20_000);
    const short = recoveryPolicy({ leaseMs: 2_000, staleAfterMs: 3_000 });
    expect(short.heartbeatEveryMs).toBe(750);
  });
});
