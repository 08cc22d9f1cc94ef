import { SCHEDULING_RUNS, SCHEDULING_SEED, defaultProfile } from '../../bench/scheduling';
import { EVAL_SHAPES } from '../../bench/scheduling/eval-shapes';
import { evalInstance, instanceBounds, policyFor, runSeed } from '../../bench/scheduling/scheduling-eval';
import { simulateRun, type RunResult } from '../../bench/scheduling/simulation';
import { noteTaker } from '../codex-scenario';
import type { ScenarioOutcome } from '../gate-measures';
import type { Scenario, ScenarioContext } from '../scenario';

// The scheduling simulator of `codex-team bench --only scheduling`: the real rebalancing
// controller (decideRebalance) and claim order staff every DAG shape of the eval set, on the
// bench's own seed and its quick run count, in deterministic simulated time. Its quality is its
// invariants, its cost the simulator's measured figures; every number is the same run to run, so
// any change in them is a change of the controller, the claim order or the simulated world.
//   model_tokens, bytes_read  0: no model and no tool output in the simulator
//   tool_calls                the staffing calls the controller's directives cost (a spawn, a retire each)
//   agent_time_ms             simulated slot time of every teammate, summed over the runs
//   makespan_ratio            mean over runs of makespan over the instance's critical path (true durations)

const RUNS = SCHEDULING_RUNS.quick;

interface SimRun {
  shape: string;
  cap: number;
  chain: boolean;
  tasks: number;
  criticalPathMs: number;
  lowerBoundMs: number;
  result: RunResult | null;
  error: string | null;
}

function simulateEvalSet(): SimRun[] {
  const profile = defaultProfile();
  const runs: SimRun[] = [];
  EVAL_SHAPES.forEach((shape, index) => {
    for (let run = 0; run < RUNS; run += 1) {
      const seed = runSeed(SCHEDULING_SEED, index, run);
      const tasks = evalInstance(shape, seed);
      const bounds = instanceBounds(tasks, shape.cap);
      const { policy, order, knowledge } = policyFor('controller', tasks, shape.cap, { shapes: EVAL_SHAPES, runs: RUNS, seed: SCHEDULING_SEED, profile });
      const base = { shape: shape.name, cap: shape.cap, chain: shape.chain, tasks: tasks.length, criticalPathMs: bounds.critical_path_ms, lowerBoundMs: bounds.lower_bound_ms };
      try {
        runs.push({ ...base, result: simulateRun({ tasks, cap: shape.cap, chain: shape.chain, seed, profile, policy, order, knowledge }), error: null });
      } catch (error) {
        runs.push({ ...base, result: null, error: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  return runs;
}

function runSimulator(context: ScenarioContext): Promise<ScenarioOutcome> {
  const started = Date.now();
  const runs = simulateEvalSet();
  context.progress(`${EVAL_SHAPES.length} shapes x ${RUNS} runs simulated under the controller`);
  const ended = runs.flatMap((run) => (run.result === null ? [] : [{ ...run, result: run.result }]));
  const failing = (test: (run: (typeof ended)[number]) => boolean): string => ended.filter(test).map((run) => run.shape).join(', ');
  const sum = (key: keyof RunResult): number => ended.reduce((total, run) => total + run.result[key], 0);

  const { note, notes } = noteTaker();
  const checks: Record<string, boolean> = {};
  const stalled = runs.filter((run) => run.result === null);
  checks['run.completed'] = note(stalled.length === 0, `runs that stalled or threw: ${stalled.map((run) => `${run.shape}: ${run.error ?? ''}`).join('; ').slice(0, 600)}`);
  const overCap = failing((run) => run.result.max_slot_holders > run.cap || run.result.decisions_above_cap > 0);
  checks['invariant.cap'] = note(overCap === '', `more slot holders than the cap, or a decision above it, in ${overCap}`);
  const twice = failing((run) => run.result.completions !== run.result.tasks_done);
  checks['invariant.single_completion'] = note(twice === '', `completions differ from tasks done in ${twice}`);
  const undone = failing((run) => run.result.tasks_done !== run.tasks);
  checks['expect.every_task_done'] = note(undone === '' && stalled.length === 0, `tasks left undone in ${undone || stalled.map((run) => run.shape).join(', ')}`);
  const chainSpawns = failing((run) => run.chain && run.result.chain_scale_ups > 0);
  checks['expect.no_spawn_for_serial_chain'] = note(chainSpawns === '', `the controller scaled a pure chain up in ${chainSpawns}`);

  const ratios = ended.map((run) => run.result.makespan_ms / run.criticalPathMs);
  const boundRatios = ended.map((run) => run.result.makespan_ms / run.lowerBoundMs);
  const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  const round2 = (value: number): number => Math.round(value * 100) / 100;
  return Promise.resolve({
    scenario: 'scheduling-sim',
    profile: 'simulator',
    measures: {
      // The simulator's tasks leave no artifacts: there is no evidence to resolve (expect.every_task_done holds their completion).
      quality: { tasks_done_with_evidence: 0, checks },
      cost: {
        model_tokens: 0,
        tool_calls: sum('agents_spawned') + sum('retires'),
        bytes_read: 0,
        agent_time_ms: sum('agent_ms'),
        makespan_ratio: round2(mean(ratios)),
      },
    },
    notes,
    wallMs: Date.now() - started,
    extra: {
      runs: runs.length,
      tasks_done: sum('tasks_done'),
      spawns: sum('agents_spawned'),
      retires: sum('retires'),
      respawns: sum('respawns'),
      agents_failed: sum('agents_failed'),
      decisions: sum('decisions'),
      makespan_vs_lower_bound: round2(mean(boundRatios)),
    },
  });
}

export const schedulingSimScenario: Scenario = {
  name: 'scheduling-sim',
  summary: `the rebalancing controller staffs the scheduling bench's ${EVAL_SHAPES.length} simulated DAG shapes (x${RUNS} seeded runs, simulated time)`,
  profile: 'simulator',
  run: runSimulator,
};
