import { TeamModeSchema, type TeamMode, type TeamModeState } from '@codex-team/contracts';
import { MODE_TRANSITIONS, decideModeTransition } from './mode-transitions';

const lasting = (current: TeamMode): TeamModeState => ({
  current,
  set_by: null,
  reason: '',
  set_at: null,
  expires_at: null,
  returns_to: null,
});

describe('mode transitions', () => {
  it('has one edge per (from, to) pair and refuses only staying put', () => {
    const modes = TeamModeSchema.options;
    expect(MODE_TRANSITIONS).toHaveLength(modes.length * modes.length);
    for (const edge of MODE_TRANSITIONS) expect(edge.allowed).toBe(edge.from !== edge.to);
  });

  it('allows every change of mode with no work held and no ttl on default', () => {
    for (const from of TeamModeSchema.options) {
      for (const to of TeamModeSchema.options) {
        const decision = decideModeTransition({ from: lasting(from), to, ttlMs: undefined, leadHeldTaskIds: [] });
        expect({ from, to, decision: decision.decision }).toEqual({ from, to, decision: from === to ? 'deny' : 'allow' });
      }
    }
  });

  it('refuses a ttl on default, and delegating while the lead holds work, each with its reason', () => {
    const ttl = decideModeTransition({ from: lasting('plan'), to: 'default', ttlMs: 60_000, leadHeldTaskIds: [] });
    expect(ttl).toMatchObject({ decision: 'deny', rule: 'mode.transition:default-is-lasting' });
    const held = decideModeTransition({ from: lasting('default'), to: 'delegate', ttlMs: undefined, leadHeldTaskIds: ['tk_22222222'] });
    expect(held).toMatchObject({ decision: 'deny', rule: 'mode.transition:lead-holds-work' });
    expect(held.reason).toContain('tk_22222222');
    const same = decideModeTransition({ from: lasting('plan'), to: 'plan', ttlMs: 5_000, leadHeldTaskIds: [] });
    expect(same).toMatchObject({ decision: 'deny', rule: 'mode.transition:unchanged' });
  });
});
