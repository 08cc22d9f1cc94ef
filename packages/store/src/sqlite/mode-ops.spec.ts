import { LIMITS, type TeamMode } from '@codex-team/contracts';
import { modeColumnsAfter } from './mode-ops';

const lasting = (mode: TeamMode) => ({ mode, mode_expires_at: null, mode_returns_to: null });
const temporary = (mode: TeamMode, returnsTo: TeamMode) => ({ mode, mode_expires_at: Date.UTC(2026, 0, 1, 1), mode_returns_to: returnsTo });

describe('the mode columns a change of mode writes', () => {
  const now = Date.UTC(2026, 0, 1);
  const lead = 'ag_22222222';

  it('returns a temporary mode to the last lasting one, never to another temporary mode', () => {
    expect(modeColumnsAfter(lasting('default'), { to: 'plan', ttlMs: 60_000, actorAgentId: lead, reason: 'r' }, now)).toEqual({
      mode: 'plan',
      mode_set_by: lead,
      mode_reason: 'r',
      mode_set_at: now,
      mode_expires_at: now + 60_000,
      mode_returns_to: 'default',
    });
    // plan for a while, then delegate for a while: both lapse back to default, not to plan.
    expect(modeColumnsAfter(temporary('plan', 'default'), { to: 'delegate', ttlMs: 1_000, actorAgentId: lead, reason: 'r' }, now).mode_returns_to).toBe(
      'default',
    );
    // A lasting plan, then a temporary delegate: back to plan.
    expect(modeColumnsAfter(lasting('plan'), { to: 'delegate', ttlMs: 1_000, actorAgentId: lead, reason: 'r' }, now).mode_returns_to).toBe('plan');
    // A lasting mode clears any return target.
    expect(modeColumnsAfter(temporary('plan', 'default'), { to: 'delegate', ttlMs: undefined, actorAgentId: lead, reason: 'r' }, now)).toMatchObject({
      mode_expires_at: null,
      mode_returns_to: null,
    });
  });

  it('stores at most the longest reason the contracts allow', () => {
    const reason = 'x'.repeat(LIMITS.reasonMaxChars + 5);
    const columns = modeColumnsAfter(lasting('default'), { to: 'plan', ttlMs: undefined, actorAgentId: lead, reason }, now);
    expect(columns.mode_reason).toHaveLength(LIMITS.reasonMaxChars);
  });
});
