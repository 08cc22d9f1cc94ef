import type { Profile } from '@codex-team/contracts';
import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { benchGoal, type BenchGoal, type BenchMeasurement, type BenchReport, type BenchTable, type Benchmark } from './benchmark';
import { ESTIMATE_ERROR, EVAL_SHAPES } from './scheduling/eval-shapes';
import { EXCESS_CAUSES, type ExcessCause } from './scheduling/excess-decomposition';
import { POLICIES, evaluateShapes, summarize, type EvalSummary, type ShapeRow } from './scheduling/scheduling-eval';
import { RESPAWN_WINDOW_MS, SIMULATION_SETTINGS } from './scheduling/simulation';

/** The seed of the eval set's durations and fates: one seed, so every run of the bench prints the same table. */
export const SCHEDULING_SEED = 1;
/** Runs per shape; quick runs fewer, so the means are noisier. */
export const SCHEDULING_RUNS = { full: 6, quick: 2 } as const;

const minutes = (ms: number): string => (ms / 60_000).toFixed(1);
const ratio = (x: number): string => x.toFixed(2);
/** A share of LB, signed: +0.07 means 7% of LB more makespan. */
const share = (x: number): string => `${x < -0.0005 ? '-' : '+'}${Math.abs(x).toFixed(3)}`;

const CAUSE_LABELS: Readonly<Record<ExcessCause, string>> = {
  structure: 'structure',
  estimate_error: 'estimate error',
  staffing: 'staffing',
  roles: 'roles',
  start_latency: 'start latency',
  lost_work: 'lost work',
  recovery_wait: 'recovery wait',
};

function shapeTable(rows: readonly ShapeRow[]): BenchTable {
  return {
    title: 'makespan / lower bound (mean over runs) and agent-time against fixed maximum staffing, per shape',
    columns: ['shape', 'tasks', 'cap', 'LB min', 'ref', 'fixed', 'fanout', 'ctl', 'ctl worst', 'ctl blind', 'ctl/fixed', 'agent-time ctl/fixed', 'fanout/fixed', 'ctl spawn/retire/fail'],
    rows: rows.map((row) => {
      const { fixed, fanout, controller } = row.policies;
      const blind = row.policies['controller-blind'];
      return [
        row.chain ? `${row.shape} (chain)` : row.shape,
        String(row.tasks),
        String(row.cap),
        minutes(row.bounds.lower_bound_ms),
        ratio(row.reference_vs_bound),
        ratio(fixed.makespan_vs_bound),
        ratio(fanout.makespan_vs_bound),
        ratio(controller.makespan_vs_bound),
        ratio(row.worst_controller_vs_bound),
        ratio(blind.makespan_vs_bound),
        ratio(controller.makespan_ms / fixed.makespan_ms),
        ratio(controller.agent_ms / fixed.agent_ms),
        ratio(fanout.agent_ms / fixed.agent_ms),
        `${controller.agents_spawned}/${controller.retires}/${controller.agents_failed}`,
      ];
    }),
  };
}

function excessTable(rows: readonly ShapeRow[]): BenchTable {
  return {
    title: "the controller's makespan over LB by cause, in shares of LB (they add up to ctl - 1; see the notes)",
    columns: ['shape', 'ctl', 'est ref', 'blind ref', ...EXCESS_CAUSES.map((cause) => CAUSE_LABELS[cause]), 'respawns'],
    rows: rows.map((row) => [
      row.chain ? `${row.shape} (chain)` : row.shape,
      ratio(row.policies.controller.makespan_vs_bound),
      ratio(row.estimate_reference_vs_bound),
      ratio(row.blind_reference_vs_bound),
      ...EXCESS_CAUSES.map((cause) => share(row.excess[cause])),
      String(row.policies.controller.respawns),
    ]),
  };
}

/** What the figures mean; printed with them, so nobody reads more into a ratio than it says. */
export function schedulingNotes(runs: number): string[] {
  const s = SIMULATION_SETTINGS;
  return [
    `Simulated time: ${EVAL_SHAPES.length} DAG shapes x ${runs} seeded runs x ${POLICIES.length} policies; the same seed gives the same table.`,
    'makespan: from the first decision until the last task is done.',
    'LB (lower bound) = max(critical path, total work / cap) from the true task durations of the run. No schedule',
    '  beats it, but it ignores roles, spawn time, failures and rework, and that serial stretches (a fork-join\'s root',
    '  and join) leave agents idle; so it is loose where the DAG narrows. ref = a list schedule with cap identical',
    '  agents from the start, true durations known, longest path first, no failures: what a near-perfect schedule',
    '  reaches, not a bound. est ref = the same knowing only the tasks\' size estimates; blind ref = the same knowing',
    '  nothing of their sizes (longest chain of tasks first, then priority, then creation): where tasks differ only by',
    '  their random durations (a fork-join\'s middle) no size-blind policy does better on average. Every ratio is',
    '  makespan / LB of the same run, averaged over runs.',
    `Size estimates: each task carries the lead's estimate (estimate_min), its true duration times a factor drawn`,
    `  uniformly from [${1 - ESTIMATE_ERROR}, ${1 + ESTIMATE_ERROR}], rounded to whole minutes; fixed, fanout and ctl claim by them (claim order),`,
    '  ctl also plans with them. ctl blind = the controller when tasks carry no estimate (learned role durations only).',
    'Excess by cause: the controller rerun on the same instances in worlds that add one cause at a time: structure =',
    '  ref - 1; estimate error = est ref - ref; staffing = ctl with no roles, no start latency, no failures - est ref;',
    '  roles = tasks require their roles; start latency = a spawn takes its time to claim; lost work = agents fail but',
    '  their task and slot come back the moment they fail; recovery wait = recovery as the store does it (grace, lease,',
    `  lost-agent timeout). respawns = spawns of a role within ${RESPAWN_WINDOW_MS / 60_000} min after the controller retired one of that role.`,
    'agent-time (the cost proxy): the sum over teammates of the time each held a slot, from its spawn decision until',
    '  it was retired, lost, or the run ended; starting and idle time count, the lead does not.',
    'Policies: fixed = cap agents from start to end, roles in proportion to the plan, a lost agent replaced, an idle',
    '  agent of the wrong role swapped; fanout = today\'s recommendFanout hints (default profile) followed every tick,',
    '  never retiring; ctl = decideRebalance every tick. All claim in claim order (compareClaimOrder: critical path',
    '  first, each task weighing its estimate, else its role\'s mean learned from finished tasks); informational',
    '  controller variants: size-blind, size-blind claiming in the store\'s order before issue 16 (priority, then',
    '  creation), and knowing every task\'s true duration.',
    `World: decisions every ${s.tick_ms / 1000} s, recovery sweeps and idle polls every ${s.sweep_every_ms / 1000} s; ${s.spawn_lead_ms / 1000} s from a spawn decision to the first claim;`,
    `  leases of ${s.lease_ms / 1000} s renewed every ${s.renew_every_ms / 1000} s; a dead holder's task back after ${s.disconnect_grace_ms / 1000} s, a stalled`,
    `  holder's when its lease passes, and its slot when the lead closes it or after ${s.stale_ms / 60_000} min; ${Math.round(s.failure_rate * 100)}% of`,
    '  agents (fates drawn by spawn order, the same for every policy) stall or die 20-80% into their first task, so a',
    `  policy that spawns more meets more failures. Without an estimate a task weighs ${s.prior_ms / 60_000} min until tasks of its`,
    '  role finish, then their mean. docs/scheduling.md compares this world with the real system.',
    'Summary ratios are means over shapes of the per-shape means: every shape weighs the same.',
    '',
  ];
}

function measurementsOf(summary: EvalSummary): BenchMeasurement[] {
  const x = (name: string, value: number): BenchMeasurement => ({ name, value, unit: 'x' });
  const n = (name: string, value: number): BenchMeasurement => ({ name, value, unit: 'count' });
  return [
    x('controller: mean makespan / LB', summary.controller_vs_bound),
    x(`controller: worst shape makespan / LB (${summary.worst_shape})`, summary.worst_shape_controller_vs_bound),
    x('controller: worst single run makespan / LB', summary.worst_run_controller_vs_bound),
    x('controller / fixed maximum staffing: mean makespan', summary.controller_vs_fixed_makespan),
    x('controller / fixed maximum staffing: agent-time', summary.controller_vs_fixed_agent_time),
    x('controller: total makespan / total LB (long shapes weigh more)', summary.controller_total_vs_bound),
    x('fixed maximum staffing: mean makespan / LB', summary.fixed_vs_bound),
    x('fixed maximum staffing: worst shape makespan / LB', summary.fixed_worst_shape_vs_bound),
    x('fixed maximum staffing: total makespan / total LB', summary.fixed_total_vs_bound),
    x("today's fanout: mean makespan / LB", summary.fanout_vs_bound),
    x("today's fanout / fixed maximum staffing: mean makespan", summary.fanout_vs_fixed_makespan),
    x("today's fanout / fixed maximum staffing: agent-time", summary.fanout_vs_fixed_agent_time),
    x('size-blind controller (no estimates): mean makespan / LB', summary.blind_controller_vs_bound),
    x(`size-blind controller: worst shape makespan / LB (${summary.blind_controller_worst_shape})`, summary.blind_controller_worst_shape_vs_bound),
    x('size-blind controller / fixed maximum staffing: mean makespan', summary.blind_controller_vs_fixed_makespan),
    x('size-blind controller / fixed maximum staffing: agent-time', summary.blind_controller_vs_fixed_agent_time),
    x("size-blind controller with the claim order before issue 16: mean makespan / LB", summary.today_order_vs_bound),
    x('controller knowing true task durations: mean makespan / LB', summary.known_durations_vs_bound),
    x('controller knowing true task durations: worst shape makespan / LB', summary.known_durations_worst_shape_vs_bound),
    x('reference schedule: mean makespan / LB', summary.reference_vs_bound),
    x('reference schedule: worst shape makespan / LB', summary.reference_worst_shape_vs_bound),
    x('reference schedule knowing the estimates only: mean makespan / LB', summary.estimate_reference_vs_bound),
    x('reference schedule knowing the estimates only: worst shape makespan / LB', summary.estimate_reference_worst_shape_vs_bound),
    x('reference schedule not knowing task sizes: mean makespan / LB', summary.blind_reference_vs_bound),
    x(`reference schedule not knowing task sizes: worst shape makespan / LB (${summary.blind_reference_worst_shape})`, summary.blind_reference_worst_shape_vs_bound),
    ...EXCESS_CAUSES.map((cause) => x(`controller excess over LB, mean share: ${CAUSE_LABELS[cause]}`, summary.excess[cause])),
    n(`controller respawns (a role spawned within ${RESPAWN_WINDOW_MS / 60_000} min of retiring one)`, summary.respawns),
    n('controller decisions above the cap', summary.decisions_above_cap),
    n('controller spawns that scale a pure chain up', summary.chain_scale_ups),
    n('baseline spawns that scale a pure chain up (fixed, fanout)', summary.baseline_chain_scale_ups),
    n('most slot holders in any run minus its cap', summary.max_slot_holders_over_cap),
    { name: 'agents that stalled or died', value: 100 * summary.failed_share, unit: '%' },
  ];
}

/** The goals, each computed from the summary of this one run. */
export function schedulingGoals(summary: EvalSummary): BenchGoal[] {
  return [
    benchGoal('controller mean makespan within 1.15x of the lower bound', summary.controller_vs_bound, 'at_most', 1.15, 'x'),
    benchGoal(`no shape above 1.4x of the lower bound (worst: ${summary.worst_shape})`, summary.worst_shape_controller_vs_bound, 'at_most', 1.4, 'x'),
    benchGoal('controller agent-time vs fixed maximum staffing (>= 25% less)', summary.controller_vs_fixed_agent_time, 'at_most', 0.75, 'x'),
    benchGoal('controller mean makespan vs fixed maximum staffing (<= 5% longer)', summary.controller_vs_fixed_makespan, 'at_most', 1.05, 'x'),
    benchGoal('controller decisions above the cap', summary.decisions_above_cap, 'at_most', 0, 'count'),
    benchGoal('controller spawns for pure chains', summary.chain_scale_ups, 'at_most', 0, 'count'),
  ];
}

/** The scheduling report of an eval run. */
export function schedulingReport(rows: readonly ShapeRow[], runs: number): BenchReport {
  const summary = summarize(rows);
  return {
    benchmark: 'scheduling',
    tables: [shapeTable(rows), excessTable(rows)],
    notes: schedulingNotes(runs),
    measurements: measurementsOf(summary),
    goals: schedulingGoals(summary),
  };
}

/** The policy profile the scheduling eval runs under: the built-in default. */
export function defaultProfile(): Profile {
  return ProfileCatalog.load({ builtinDir: findBuiltinProfilesDir(__dirname) }).find('default').profile;
}

/**
 * The rebalancing controller against fixed maximum staffing and today's fanout, on a deterministic
 * discrete-event simulation of the eval set (issue 16): real decideRebalance, real recommendFanout,
 * the real claim order, simulated agents that stall and die.
 */
export const schedulingBenchmark: Benchmark = {
  name: 'scheduling',
  summary: `the rebalancing controller vs fixed staffing and today's fanout on ${EVAL_SHAPES.length} simulated DAG shapes`,
  run(context) {
    const runs = context.quick ? SCHEDULING_RUNS.quick : SCHEDULING_RUNS.full;
    const rows = evaluateShapes({ shapes: EVAL_SHAPES, runs, seed: SCHEDULING_SEED, profile: defaultProfile() });
    context.progress(`${rows.length} shapes x ${runs} runs simulated`);
    return Promise.resolve(schedulingReport(rows, runs));
  },
};
