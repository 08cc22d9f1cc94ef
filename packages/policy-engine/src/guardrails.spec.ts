import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '@codex-team/contracts';
import { earlyStopVerdict, idleVerdict, teamIdleVerdict } from './guardrails';
import { parseProfile } from './parse-profile';

const load = (name: string): Profile =>
  parseProfile(readFileSync(join(__dirname, `../../../profiles/${name}.yaml`), 'utf8'), `${name}.yaml`);
const normal = load('default'); // agent timeout 10 min, reports idle agents
const fast = load('fast'); // agent timeout 2 min, retires idle agents
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

describe('idle verdicts', () => {
  it('keeps an agent seen within the timeout active', () => {
    expect(idleVerdict({ profile: normal, now: T0 + 9 * MIN, lastSeenAt: T0, createdAt: T0 })).toEqual({
      verdict: 'active',
      rule: 'idle.agent_timeout_ms',
      reason: 'seen 540000 ms ago, timeout 600000 ms',
      idle_ms: 540_000,
    });
  });

  it('reports an agent past the timeout, or retires it when the profile says so', () => {
    expect(idleVerdict({ profile: normal, now: T0 + 10 * MIN, lastSeenAt: T0, createdAt: T0 })).toMatchObject({
      verdict: 'idle',
      rule: 'idle.agent_timeout_ms',
    });
    expect(idleVerdict({ profile: fast, now: T0 + 2 * MIN, lastSeenAt: null, createdAt: T0 })).toEqual({
      verdict: 'retire',
      rule: 'idle.retire_idle_agents',
      reason: 'never seen since spawn for 120000 ms (timeout 120000 ms): retire it and hand its tasks on',
      idle_ms: 120_000,
    });
  });

  it('treats a clock that went back as no idle time, and does nothing with the sweep off', () => {
    expect(idleVerdict({ profile: fast, now: T0 - 5, lastSeenAt: T0, createdAt: T0 })).toMatchObject({
      verdict: 'active',
      idle_ms: 0,
    });
    const off = { ...fast, guardrails: { ...fast.guardrails, idle_sweep: false } };
    expect(idleVerdict({ profile: off, now: T0 + 60 * MIN, lastSeenAt: T0, createdAt: T0 })).toMatchObject({
      verdict: 'active',
      rule: 'guardrails.idle_sweep',
    });
    expect(teamIdleVerdict({ profile: off, now: T0 + 600 * MIN, lastActivityAt: T0 }).verdict).toBe('active');
  });

  it('marks a quiet team idle after the team timeout', () => {
    expect(teamIdleVerdict({ profile: normal, now: T0 + 59 * MIN, lastActivityAt: T0 }).verdict).toBe('active');
    expect(teamIdleVerdict({ profile: normal, now: T0 + 60 * MIN, lastActivityAt: T0 })).toMatchObject({
      verdict: 'idle',
      rule: 'idle.team_timeout_ms',
    });
  });
});

describe('early stop', () => {
  it('stops once every task is finished, and not before', () => {
    expect(earlyStopVerdict(normal, {}).verdict).toBe('continue');
    expect(earlyStopVerdict(normal, { done: 3, in_progress: 1 })).toEqual({
      verdict: 'continue',
      rule: 'guardrails.early_stop',
      reason: '1 of 4 tasks are not finished',
    });
    expect(earlyStopVerdict(normal, { done: 3, cancelled: 1 })).toEqual({
      verdict: 'stop',
      rule: 'guardrails.early_stop',
      reason: 'all 4 tasks are finished (3 done): finalize the team',
    });
    expect(earlyStopVerdict(normal, { done: 2, failed: 1 }).reason).toContain('1 failed: review them before finalizing');
  });

  it('stops once the lead declares consensus, even with tasks left', () => {
    const verdict = earlyStopVerdict(normal, { ready: 2, done: 1 }, '2026-01-01T00:00:00.000Z');
    expect(verdict).toEqual({
      verdict: 'stop',
      rule: 'guardrails.early_stop',
      reason:
        'the lead declared consensus at 2026-01-01T00:00:00.000Z: no new claims, finalize the team; ' +
        '2 unfinished tasks will be cancelled by team_finalize with force',
    });
    expect(earlyStopVerdict(normal, {}, '2026-01-01T00:00:00.000Z').verdict).toBe('stop');
  });

  it('never stops early with the switch off', () => {
    const off = { ...normal, guardrails: { ...normal.guardrails, early_stop: false } };
    expect(earlyStopVerdict(off, { done: 5 }).verdict).toBe('continue');
    expect(earlyStopVerdict(off, { ready: 1 }, '2026-01-01T00:00:00.000Z').verdict).toBe('continue');
  });
});
