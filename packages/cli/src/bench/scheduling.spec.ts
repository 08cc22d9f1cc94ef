import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProfile } from '@codex-team/policy-engine';
import { renderBenchReport } from './render-report';
import { schedulingGoals, schedulingReport } from './scheduling';
import { EVAL_SHAPES } from './scheduling/eval-shapes';
import { evaluateShapes, summarize, type EvalSummary } from './scheduling/scheduling-eval';

const profile = parseProfile(readFileSync(join(__dirname, '../../../../profiles/default.yaml'), 'utf8'), 'default.yaml');

const passing: EvalSummary = {
  controller_vs_bound: 1.1,
  worst_shape: 'diamond',
  worst_shape_controller_vs_bound: 1.3,
  worst_run_controller_vs_bound: 1.6,
  controller_vs_fixed_makespan: 1.02,
  controller_vs_fixed_agent_time: 0.7,
  fixed_vs_bound: 1.1,
  fixed_worst_shape_vs_bound: 1.3,
  controller_total_vs_bound: 1.1,
  fixed_total_vs_bound: 1.1,
  fanout_vs_bound: 1.2,
  fanout_vs_fixed_makespan: 1.1,
  fanout_vs_fixed_agent_time: 0.8,
  blind_controller_vs_bound: 1.16,
  blind_controller_worst_shape: 'fork-join-8',
  blind_controller_worst_shape_vs_bound: 1.5,
  blind_controller_vs_fixed_makespan: 1.0,
  blind_controller_vs_fixed_agent_time: 0.7,
  today_order_vs_bound: 1.2,
  known_durations_vs_bound: 1.05,
  known_durations_worst_shape_vs_bound: 1.2,
  reference_vs_bound: 1.05,
  reference_worst_shape_vs_bound: 1.3,
  estimate_reference_vs_bound: 1.06,
  estimate_reference_worst_shape_vs_bound: 1.32,
  blind_reference_vs_bound: 1.08,
  blind_reference_worst_shape: 'diamond',
  blind_reference_worst_shape_vs_bound: 1.35,
  excess: { structure: 0.05, estimate_error: 0.03, staffing: 0, roles: 0.005, start_latency: 0.005, lost_work: 0.005, recovery_wait: 0.005 },
  respawns: 3,
  decisions_above_cap: 0,
  chain_scale_ups: 0,
  baseline_chain_scale_ups: 12,
  max_slot_holders_over_cap: 0,
  failed_share: 0.1,
};

describe('the scheduling benchmark', () => {
  it("checks the issue's goals against the run's own figures", () => {
    expect(schedulingGoals(passing).every((goal) => goal.met)).toBe(true);
    const missed = (over: Partial<EvalSummary>): string[] => schedulingGoals({ ...passing, ...over }).filter((g) => !g.met).map((g) => g.name);
    expect(missed({ controller_vs_bound: 1.16 })).toEqual(['controller mean makespan within 1.15x of the lower bound']);
    expect(missed({ worst_shape_controller_vs_bound: 1.41 })).toEqual(['no shape above 1.4x of the lower bound (worst: diamond)']);
    expect(missed({ controller_vs_fixed_agent_time: 0.76 })).toEqual(['controller agent-time vs fixed maximum staffing (>= 25% less)']);
    expect(missed({ controller_vs_fixed_makespan: 1.06 })).toEqual(['controller mean makespan vs fixed maximum staffing (<= 5% longer)']);
    expect(missed({ decisions_above_cap: 1 })).toEqual(['controller decisions above the cap']);
    expect(missed({ chain_scale_ups: 1 })).toEqual(['controller spawns for pure chains']);
  });

  it('prints a row per shape, the definitions of its bound and cost, and the summary ratios', () => {
    const rows = evaluateShapes({ shapes: EVAL_SHAPES.filter((s) => ['chain-8', 'fork-join-8'].includes(s.name)), runs: 1, seed: 1, profile });
    const report = schedulingReport(rows, 1);
    const text = renderBenchReport(report);
    expect(report.tables?.[0]?.rows.map((row) => row[0])).toEqual(['chain-8 (chain)', 'fork-join-8']);
    expect(text).toContain('LB (lower bound) = max(critical path, total work / cap)');
    expect(text).toContain('agent-time (the cost proxy): the sum over teammates of the time each held a slot');
    expect(report.tables?.[1]?.columns.slice(0, 5)).toEqual(['shape', 'ctl', 'est ref', 'blind ref', 'structure']);
    expect(report.tables?.[0]?.columns).toContain('ctl blind');
    expect(text).toContain('Size estimates: each task carries the lead\'s estimate (estimate_min)');
    expect(report.tables?.[1]?.rows.map((row) => row[0])).toEqual(['chain-8 (chain)', 'fork-join-8']);
    const summary = summarize(rows);
    const figure = (name: string): number | undefined => report.measurements.find((m) => m.name === name)?.value;
    expect(figure('controller: mean makespan / LB')).toBe(summary.controller_vs_bound);
    expect(figure('controller / fixed maximum staffing: agent-time')).toBe(summary.controller_vs_fixed_agent_time);
    expect(report.goals.map((goal) => goal.measured)).toEqual(schedulingGoals(summary).map((goal) => goal.measured));
    // On a chain the controller keeps one agent where fixed staffing keeps three.
    const chain = rows[0];
    expect(chain?.policies.controller.agent_ms).toBeLessThan((chain?.policies.fixed.agent_ms ?? 0) / 2);
  });
});
