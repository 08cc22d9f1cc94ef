import { sealBaseline, type BaselineState } from './baseline';
import { decideGate, type GateRun } from './gate-decision';
import type { ScenarioMeasures } from './gate-measures';
import type { GateProfiles } from './gate-profiles';

const PROFILES: GateProfiles = {
  default: { description: 'test', tolerance: 0.1, measures: { agent_time_ms: { tolerance: 1, slack: 1000, why: 'wall time' } } },
};

function measures(overrides: { cost?: Partial<ScenarioMeasures['cost']>; done?: number; checks?: Record<string, boolean> } = {}): ScenarioMeasures {
  return {
    quality: { tasks_done_with_evidence: overrides.done ?? 3, checks: overrides.checks ?? { 'invariant.cap': true, 'expect.hook_blocked': true } },
    cost: { model_tokens: 10_000, tool_calls: 40, bytes_read: 20_000, agent_time_ms: 5_000, makespan_ratio: 4, ...overrides.cost },
  };
}

function intact(scenarios: Record<string, ScenarioMeasures>): BaselineState {
  const entries = Object.fromEntries(Object.entries(scenarios).map(([name, m]) => [name, { profile: 'default', measures: m }]));
  return { kind: 'intact', baseline: sealBaseline({ version: 1, commit: 'abc', reason: 'test', scenarios: entries }) };
}

const run = (scenario: string, m: ScenarioMeasures, profile = 'default'): GateRun => ({ scenario, profile, measures: m });

describe('the quality-vs-cost gate decision', () => {
  it('passes a run equal to its baseline, by rule gate.pass', () => {
    const decision = decideGate({ baseline: intact({ clean: measures() }), runs: [run('clean', measures())], profiles: PROFILES, partial: false });
    expect(decision).toMatchObject({ verdict: 'pass', rule: 'gate.pass' });
    expect(decision.findings.every((finding) => !finding.failed)).toBe(true);
  });

  it('fails a cost rise above 10% by default, and lets one through at exactly the limit', () => {
    const baseline = intact({ clean: measures() });
    const over = decideGate({ baseline, runs: [run('clean', measures({ cost: { bytes_read: 22_001 } }))], profiles: PROFILES, partial: false });
    expect(over).toMatchObject({ verdict: 'fail', rule: 'cost.tolerance' });
    expect(over.reason).toContain('clean: bytes_read 20000 -> 22001');
    const at = decideGate({ baseline, runs: [run('clean', measures({ cost: { bytes_read: 22_000 } }))], profiles: PROFILES, partial: false });
    expect(at.verdict).toBe('pass');
  });

  it("holds a measure to its profile's own tolerance and slack", () => {
    const baseline = intact({ clean: measures() });
    const within = decideGate({ baseline, runs: [run('clean', measures({ cost: { agent_time_ms: 11_000 } }))], profiles: PROFILES, partial: false });
    expect(within.verdict).toBe('pass');
    const beyond = decideGate({ baseline, runs: [run('clean', measures({ cost: { agent_time_ms: 11_001 } }))], profiles: PROFILES, partial: false });
    expect(beyond).toMatchObject({ verdict: 'fail', rule: 'cost.tolerance' });
  });

  it('fails any quality drop before looking at cost, however cheap the run', () => {
    const baseline = intact({ hook: measures() });
    const cheaper = { model_tokens: 1, tool_calls: 1, bytes_read: 1 };
    const check = decideGate({ baseline, runs: [run('hook', measures({ cost: cheaper, checks: { 'invariant.cap': true, 'expect.hook_blocked': false } }))], profiles: PROFILES, partial: false });
    expect(check).toMatchObject({ verdict: 'fail', rule: 'quality.check' });
    expect(check.reason).toBe('hook: expect.hook_blocked: FAILS');
    const fewer = decideGate({ baseline, runs: [run('hook', measures({ cost: cheaper, done: 2 }))], profiles: PROFILES, partial: false });
    expect(fewer).toMatchObject({ verdict: 'fail', rule: 'quality.dropped' });
    const dropped = decideGate({ baseline, runs: [run('hook', measures({ checks: { 'invariant.cap': true } }))], profiles: PROFILES, partial: false });
    expect(dropped).toMatchObject({ verdict: 'fail', rule: 'quality.dropped' });
  });

  it('fails without a baseline, with one edited by hand, and when scenarios and baseline disagree', () => {
    expect(decideGate({ baseline: { kind: 'missing' }, runs: [run('clean', measures())], profiles: PROFILES, partial: false }).rule).toBe('baseline.missing');
    const sealed = intact({ clean: measures() });
    if (sealed.kind !== 'intact') throw new Error('unreachable');
    const edited: BaselineState = { kind: 'modified', baseline: sealed.baseline, problem: 'checksum differs' };
    expect(decideGate({ baseline: edited, runs: [run('clean', measures())], profiles: PROFILES, partial: false }).rule).toBe('baseline.modified');
    const two = intact({ clean: measures(), hook: measures() });
    expect(decideGate({ baseline: two, runs: [run('clean', measures())], profiles: PROFILES, partial: false }).rule).toBe('coverage.missing');
    expect(decideGate({ baseline: two, runs: [run('clean', measures())], profiles: PROFILES, partial: true }).verdict).toBe('pass');
    expect(decideGate({ baseline: two, runs: [run('child', measures())], profiles: PROFILES, partial: true }).rule).toBe('coverage.unknown');
  });

  it('fails a scenario whose profile has no tolerances', () => {
    const decision = decideGate({ baseline: intact({ clean: measures() }), runs: [run('clean', measures(), 'nowhere')], profiles: PROFILES, partial: false });
    expect(decision).toMatchObject({ verdict: 'fail', rule: 'cost.tolerance' });
  });

  it('does not depend on the order of the runs', () => {
    const baseline = intact({ a: measures(), b: measures() });
    const runs = [run('a', measures({ cost: { tool_calls: 50 } })), run('b', measures({ done: 1 }))];
    const forward = decideGate({ baseline, runs, profiles: PROFILES, partial: false });
    const backward = decideGate({ baseline, runs: [...runs].reverse(), profiles: PROFILES, partial: false });
    expect(backward.rule).toBe(forward.rule);
    expect(forward.rule).toBe('quality.dropped');
  });
});
