import { seededRandom, type Profile } from '@codex-team/contracts';
import { criticalPath, type RebalanceSettings } from '@codex-team/scheduler';
import { withEstimates, type EvalShape, type SimTask } from './eval-shapes';
import { CONTROLLER_WORLDS, EXCESS_CAUSES, decomposeExcess, inWorld, type ControllerWorld, type ExcessDecomposition } from './excess-decomposition';
import { referenceMakespan } from './reference-schedule';
import { SIMULATION_SETTINGS, simulateRun, type ClaimOrder, type RunResult, type SimulationSettings, type SizeKnowledge, type StaffingPolicy } from './simulation';
import { controllerPolicy, fixedMaximumPolicy, todaysFanoutPolicy } from './staffing-policies';

/**
 * The policies compared, in table order. Tasks carry the lead's size estimates (withEstimates:
 * true durations off by up to 30%), and fixed staffing, today's fanout and the controller claim in
 * claim order with them, as the store does when team_task_create is given estimate_min. The last
 * three are variants of the controller: size-blind (tasks carry no estimate; claim order and the
 * controller weigh each task by its role's learned duration), size-blind with the store's claim
 * order before issue 16 (priority, then creation), and knowing every task's true duration.
 */
export const POLICIES = ['fixed', 'fanout', 'controller', 'controller-blind', 'controller-today-order', 'controller-known-durations'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** One DAG instance's bounds: no schedule under the cap, even without failures or spawn delays, beats the lower bound. */
export interface InstanceBounds {
  critical_path_ms: number;
  work_ms: number;
  /** max(critical path, total work / cap), from the true durations. */
  lower_bound_ms: number;
  /** The reference schedule's makespan (see referenceMakespan), knowing every task's duration, its estimate, and nothing. */
  reference_ms: number;
  estimate_reference_ms: number;
  blind_reference_ms: number;
}

/** Means over a shape's runs, per policy. */
export interface PolicyRow {
  makespan_ms: number;
  /** Mean over runs of makespan / lower bound. */
  makespan_vs_bound: number;
  agent_ms: number;
  agents_spawned: number;
  agents_failed: number;
  retires: number;
  decisions_above_cap: number;
  chain_scale_ups: number;
  max_slot_holders: number;
  respawns: number;
}

export interface ShapeRow {
  shape: string;
  tasks: number;
  cap: number;
  chain: boolean;
  runs: number;
  bounds: InstanceBounds;
  policies: Record<PolicyName, PolicyRow>;
  /** Mean over runs of the reference schedule's makespan / lower bound: how loose the bound is here. */
  reference_vs_bound: number;
  /** The same for the reference schedules that know the tasks' estimates, and nothing of their sizes. */
  estimate_reference_vs_bound: number;
  blind_reference_vs_bound: number;
  /** The controller's mean makespan / LB - 1, split by cause (see EXCESS_CAUSES). */
  excess: ExcessDecomposition;
  /** The worst single run of the controller against its bound. */
  worst_controller_vs_bound: number;
}

export interface EvalOptions {
  shapes: readonly EvalShape[];
  runs: number;
  seed: number;
  profile: Profile;
  simulation?: SimulationSettings;
  controller?: Partial<RebalanceSettings>;
}

/** The bounds of one instance, from its true durations. */
export function instanceBounds(tasks: readonly SimTask[], cap: number): InstanceBounds {
  const path = criticalPath(tasks.map((task) => ({ id: task.id, depends_on: task.depends_on, duration: task.duration_ms })));
  const work = tasks.reduce((sum, task) => sum + task.duration_ms, 0);
  return {
    critical_path_ms: path.duration,
    work_ms: work,
    lower_bound_ms: Math.max(path.duration, work / cap),
    reference_ms: referenceMakespan(tasks, cap, 'sizes'),
    estimate_reference_ms: referenceMakespan(tasks, cap, 'estimates'),
    blind_reference_ms: referenceMakespan(tasks, cap, 'blind'),
  };
}

/** How a policy of the table staffs, claims and what it knows of task sizes. */
export function policyFor(name: PolicyName, tasks: readonly SimTask[], cap: number, options: EvalOptions): { policy: StaffingPolicy; order: ClaimOrder; knowledge: SizeKnowledge } {
  switch (name) {
    case 'fixed':
      return { policy: fixedMaximumPolicy(tasks, cap), order: 'critical_path', knowledge: 'estimates' };
    case 'fanout':
      return { policy: todaysFanoutPolicy(options.profile), order: 'critical_path', knowledge: 'estimates' };
    case 'controller':
      return { policy: controllerPolicy(options.controller), order: 'critical_path', knowledge: 'estimates' };
    case 'controller-blind':
      return { policy: controllerPolicy(options.controller), order: 'critical_path', knowledge: 'blind' };
    case 'controller-today-order':
      return { policy: controllerPolicy(options.controller), order: 'priority', knowledge: 'blind' };
    case 'controller-known-durations':
      return { policy: controllerPolicy(options.controller), order: 'critical_path', knowledge: 'true' };
  }
}

/** The seed of a run's estimate errors: apart from its durations' and fates', so a size-blind policy meets the same instance as before estimates existed. */
function estimateSeed(seed: number): number {
  return (Math.imul(seed, 48_271) + 12_345) | 0;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** The seed of run `run` of shape `index`: every policy of that run meets the same durations and fates. */
export function runSeed(seed: number, index: number, run: number): number {
  return (Math.imul(seed, 1_000_003) + (index + 1) * 1_009 + run) | 0;
}

/** The DAG instance of a run's seed (runSeed): the shape's tasks and durations, with the lead's estimates. */
export function evalInstance(shape: EvalShape, seed: number): SimTask[] {
  return withEstimates(shape.build(seededRandom(seed)), seededRandom(estimateSeed(seed)));
}

/** Runs every shape `runs` times under every policy, in simulated time. Deterministic for a seed. */
export function evaluateShapes(options: EvalOptions): ShapeRow[] {
  return options.shapes.map((shape, index) => {
    const results = new Map<PolicyName, RunResult[]>(POLICIES.map((name) => [name, []]));
    const ratios = new Map<PolicyName, number[]>(POLICIES.map((name) => [name, []]));
    const worldRatios = new Map<ControllerWorld['name'], number[]>(CONTROLLER_WORLDS.map((world) => [world.name, []]));
    const bounds: InstanceBounds[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const seed = runSeed(options.seed, index, run);
      const tasks = evalInstance(shape, seed);
      const bound = instanceBounds(tasks, shape.cap);
      bounds.push(bound);
      for (const name of POLICIES) {
        const { policy, order, knowledge } = policyFor(name, tasks, shape.cap, options);
        const result = simulateRun({
          tasks,
          cap: shape.cap,
          chain: shape.chain,
          seed,
          profile: options.profile,
          policy,
          order,
          knowledge,
          ...(options.simulation ? { settings: options.simulation } : {}),
        });
        results.get(name)?.push(result);
        ratios.get(name)?.push(result.makespan_ms / bound.lower_bound_ms);
      }
      for (const world of CONTROLLER_WORLDS) {
        const within = inWorld(world, tasks, options.simulation ?? SIMULATION_SETTINGS);
        const result = simulateRun({
          tasks: within.tasks,
          cap: shape.cap,
          chain: shape.chain,
          seed,
          profile: options.profile,
          policy: controllerPolicy(options.controller),
          order: 'critical_path',
          knowledge: 'estimates',
          settings: within.settings,
          recovery: within.recovery,
        });
        worldRatios.get(world.name)?.push(result.makespan_ms / bound.lower_bound_ms);
      }
    }
    const row = (name: PolicyName): PolicyRow => {
      const of = results.get(name) as RunResult[];
      const total = (key: keyof RunResult): number => of.reduce((sum, r) => sum + r[key], 0);
      return {
        makespan_ms: mean(of.map((r) => r.makespan_ms)),
        makespan_vs_bound: mean(ratios.get(name) as number[]),
        agent_ms: mean(of.map((r) => r.agent_ms)),
        agents_spawned: total('agents_spawned'),
        agents_failed: total('agents_failed'),
        retires: total('retires'),
        decisions_above_cap: total('decisions_above_cap'),
        chain_scale_ups: total('chain_scale_ups'),
        max_slot_holders: Math.max(...of.map((r) => r.max_slot_holders)),
        respawns: total('respawns'),
      };
    };
    const policies = Object.fromEntries(POLICIES.map((name) => [name, row(name)])) as Record<PolicyName, PolicyRow>;
    return {
      shape: shape.name,
      tasks: shape.build(seededRandom(runSeed(options.seed, index, 0))).length,
      cap: shape.cap,
      chain: shape.chain,
      runs: options.runs,
      bounds: {
        critical_path_ms: mean(bounds.map((b) => b.critical_path_ms)),
        work_ms: mean(bounds.map((b) => b.work_ms)),
        lower_bound_ms: mean(bounds.map((b) => b.lower_bound_ms)),
        reference_ms: mean(bounds.map((b) => b.reference_ms)),
        estimate_reference_ms: mean(bounds.map((b) => b.estimate_reference_ms)),
        blind_reference_ms: mean(bounds.map((b) => b.blind_reference_ms)),
      },
      reference_vs_bound: mean(bounds.map((b) => b.reference_ms / b.lower_bound_ms)),
      estimate_reference_vs_bound: mean(bounds.map((b) => b.estimate_reference_ms / b.lower_bound_ms)),
      blind_reference_vs_bound: mean(bounds.map((b) => b.blind_reference_ms / b.lower_bound_ms)),
      excess: decomposeExcess({
        reference: mean(bounds.map((b) => b.reference_ms / b.lower_bound_ms)),
        estimate_reference: mean(bounds.map((b) => b.estimate_reference_ms / b.lower_bound_ms)),
        worlds: Object.fromEntries(CONTROLLER_WORLDS.map((world) => [world.name, mean(worldRatios.get(world.name) as number[])])) as Record<ControllerWorld['name'], number>,
        controller: policies.controller.makespan_vs_bound,
      }),
      policies,
      worst_controller_vs_bound: Math.max(...(ratios.get('controller') as number[])),
    };
  });
}

/** The eval set's summary: each ratio a mean over shapes of the shape's mean over runs, so every shape weighs the same. */
export interface EvalSummary {
  controller_vs_bound: number;
  worst_shape: string;
  worst_shape_controller_vs_bound: number;
  worst_run_controller_vs_bound: number;
  /** The controller's mean makespan over fixed maximum staffing's, and the same for agent-time. */
  controller_vs_fixed_makespan: number;
  controller_vs_fixed_agent_time: number;
  fixed_vs_bound: number;
  fixed_worst_shape_vs_bound: number;
  /** Another reading of "mean makespan within x of the bound": total makespan over total bound (long shapes weigh more). */
  controller_total_vs_bound: number;
  fixed_total_vs_bound: number;
  fanout_vs_bound: number;
  fanout_vs_fixed_makespan: number;
  fanout_vs_fixed_agent_time: number;
  /** The size-blind controller (tasks carry no estimate): mean, worst shape, and against fixed staffing. */
  blind_controller_vs_bound: number;
  blind_controller_worst_shape: string;
  blind_controller_worst_shape_vs_bound: number;
  blind_controller_vs_fixed_makespan: number;
  blind_controller_vs_fixed_agent_time: number;
  today_order_vs_bound: number;
  known_durations_vs_bound: number;
  known_durations_worst_shape_vs_bound: number;
  reference_vs_bound: number;
  reference_worst_shape_vs_bound: number;
  /** The reference schedule that knows the tasks' estimates only. */
  estimate_reference_vs_bound: number;
  estimate_reference_worst_shape_vs_bound: number;
  /** The reference schedule that does not know task sizes (no failures, no start latency, no roles). */
  blind_reference_vs_bound: number;
  blind_reference_worst_shape: string;
  blind_reference_worst_shape_vs_bound: number;
  /** The controller's mean excess over LB split by cause, each a mean over shapes; they add up to controller_vs_bound - 1. */
  excess: ExcessDecomposition;
  /** Controller spawns of a role soon after it retired one (see RunResult.respawns). */
  respawns: number;
  /** Over every controller variant's runs. */
  decisions_above_cap: number;
  chain_scale_ups: number;
  /** Fixed staffing's and today's fanout's, for contrast. */
  baseline_chain_scale_ups: number;
  /** The most slot holders seen in any run of any policy, and the largest cap of the eval set. */
  max_slot_holders_over_cap: number;
  /** Agents that stalled or died, out of those spawned, over every policy's runs. */
  failed_share: number;
}

const CONTROLLERS: readonly PolicyName[] = ['controller', 'controller-blind', 'controller-today-order', 'controller-known-durations'];

export function summarize(rows: readonly ShapeRow[]): EvalSummary {
  const over = (f: (row: ShapeRow) => number): number => mean(rows.map(f));
  const max = (f: (row: ShapeRow) => number): number => Math.max(...rows.map(f));
  const sum = (f: (row: ShapeRow) => number): number => rows.reduce((total, row) => total + f(row), 0);
  const across = (row: ShapeRow, names: readonly PolicyName[], key: keyof PolicyRow): number => names.reduce((n, name) => n + row.policies[name][key], 0);
  const worst = rows.reduce((a, b) => (b.policies.controller.makespan_vs_bound > a.policies.controller.makespan_vs_bound ? b : a));
  const spawned = sum((row) => across(row, POLICIES, 'agents_spawned'));
  const blindWorst = rows.reduce((a, b) => (b.blind_reference_vs_bound > a.blind_reference_vs_bound ? b : a));
  const blindCtl = (row: ShapeRow): PolicyRow => row.policies['controller-blind'];
  const blindCtlWorst = rows.reduce((a, b) => (blindCtl(b).makespan_vs_bound > blindCtl(a).makespan_vs_bound ? b : a));
  return {
    controller_vs_bound: over((row) => row.policies.controller.makespan_vs_bound),
    worst_shape: worst.shape,
    worst_shape_controller_vs_bound: worst.policies.controller.makespan_vs_bound,
    worst_run_controller_vs_bound: max((row) => row.worst_controller_vs_bound),
    controller_vs_fixed_makespan: over((row) => row.policies.controller.makespan_ms / row.policies.fixed.makespan_ms),
    controller_vs_fixed_agent_time: over((row) => row.policies.controller.agent_ms / row.policies.fixed.agent_ms),
    fixed_vs_bound: over((row) => row.policies.fixed.makespan_vs_bound),
    fixed_worst_shape_vs_bound: max((row) => row.policies.fixed.makespan_vs_bound),
    controller_total_vs_bound: sum((row) => row.policies.controller.makespan_ms) / sum((row) => row.bounds.lower_bound_ms),
    fixed_total_vs_bound: sum((row) => row.policies.fixed.makespan_ms) / sum((row) => row.bounds.lower_bound_ms),
    fanout_vs_bound: over((row) => row.policies.fanout.makespan_vs_bound),
    fanout_vs_fixed_makespan: over((row) => row.policies.fanout.makespan_ms / row.policies.fixed.makespan_ms),
    fanout_vs_fixed_agent_time: over((row) => row.policies.fanout.agent_ms / row.policies.fixed.agent_ms),
    blind_controller_vs_bound: over((row) => blindCtl(row).makespan_vs_bound),
    blind_controller_worst_shape: blindCtlWorst.shape,
    blind_controller_worst_shape_vs_bound: blindCtl(blindCtlWorst).makespan_vs_bound,
    blind_controller_vs_fixed_makespan: over((row) => blindCtl(row).makespan_ms / row.policies.fixed.makespan_ms),
    blind_controller_vs_fixed_agent_time: over((row) => blindCtl(row).agent_ms / row.policies.fixed.agent_ms),
    today_order_vs_bound: over((row) => row.policies['controller-today-order'].makespan_vs_bound),
    known_durations_vs_bound: over((row) => row.policies['controller-known-durations'].makespan_vs_bound),
    known_durations_worst_shape_vs_bound: max((row) => row.policies['controller-known-durations'].makespan_vs_bound),
    reference_vs_bound: over((row) => row.reference_vs_bound),
    reference_worst_shape_vs_bound: max((row) => row.reference_vs_bound),
    estimate_reference_vs_bound: over((row) => row.estimate_reference_vs_bound),
    estimate_reference_worst_shape_vs_bound: max((row) => row.estimate_reference_vs_bound),
    blind_reference_vs_bound: over((row) => row.blind_reference_vs_bound),
    blind_reference_worst_shape: blindWorst.shape,
    blind_reference_worst_shape_vs_bound: blindWorst.blind_reference_vs_bound,
    excess: Object.fromEntries(EXCESS_CAUSES.map((cause) => [cause, over((row) => row.excess[cause])])) as ExcessDecomposition,
    respawns: sum((row) => row.policies.controller.respawns),
    decisions_above_cap: sum((row) => across(row, CONTROLLERS, 'decisions_above_cap')),
    chain_scale_ups: sum((row) => (row.chain ? across(row, CONTROLLERS, 'chain_scale_ups') : 0)),
    baseline_chain_scale_ups: sum((row) => (row.chain ? across(row, ['fixed', 'fanout'], 'chain_scale_ups') : 0)),
    max_slot_holders_over_cap: max((row) => Math.max(...POLICIES.map((name) => row.policies[name].max_slot_holders)) - row.cap),
    failed_share: spawned === 0 ? 0 : sum((row) => across(row, POLICIES, 'agents_failed')) / spawned,
  };
}
