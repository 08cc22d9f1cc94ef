import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@codex-team/contracts';
import { parseProfile } from '@codex-team/policy-engine';
import { renderBenchReport } from '../render-report';
import { schedulingReport } from '../scheduling';
import { ESTIMATE_ERROR, EVAL_SHAPES, withEstimates, type SimTask } from './eval-shapes';
import { POLICIES, evaluateShapes, instanceBounds, runSeed } from './scheduling-eval';
import { RESPAWN_WINDOW_MS, SIMULATION_SETTINGS, simulateRun, type Fate, type RunOptions, type StaffingPolicy } from './simulation';
import { controllerPolicy, fixedMaximumPolicy, fixedRoster, todaysFanoutPolicy } from './staffing-policies';

const profile = parseProfile(readFileSync(join(__dirname, '../../../../../profiles/default.yaml'), 'utf8'), 'default.yaml');
const MIN = 60_000;
const shapes = (...names: string[]) => EVAL_SHAPES.filter((shape) => names.includes(shape.name));
const one = (id: string, duration_ms: number, depends_on: string[] = [], required_role: string | null = null): SimTask => ({
  id,
  duration_ms,
  depends_on,
  required_role,
  priority: 0,
});
const run = (over: Partial<RunOptions> & Pick<RunOptions, 'tasks' | 'policy'>) =>
  simulateRun({ cap: 3, chain: false, seed: 1, profile, order: 'critical_path', fate: () => null, ...over });

describe('the scheduling simulator', () => {
  it('is deterministic: the same seed gives the same table, another seed another', () => {
    const options = { shapes: shapes('chain-roles-9', 'diamond', 'demo-cap3'), runs: 1, profile };
    const first = evaluateShapes({ ...options, seed: 1 });
    const second = evaluateShapes({ ...options, seed: 1 });
    expect(second).toEqual(first);
    expect(renderBenchReport(schedulingReport(second, 1))).toBe(renderBenchReport(schedulingReport(first, 1)));
    expect(evaluateShapes({ ...options, seed: 2 })).not.toEqual(first);
  });

  it('never beats the lower bound nor holds more slots than the cap, under any policy', () => {
    const rows = evaluateShapes({ shapes: EVAL_SHAPES, runs: 1, seed: 7, profile });
    expect(rows).toHaveLength(EVAL_SHAPES.length);
    for (const row of rows) {
      expect({ shape: row.shape, reference: row.reference_vs_bound >= 1 }).toEqual({ shape: row.shape, reference: true });
      for (const name of POLICIES) {
        const policy = row.policies[name];
        expect({ shape: row.shape, name, bound: policy.makespan_vs_bound >= 1, cap: policy.max_slot_holders <= row.cap }).toEqual({ shape: row.shape, name, bound: true, cap: true });
      }
    }
  });

  it('runs a chain with one controller agent, which holds its slot for the whole run', () => {
    const shape = shapes('chain-8')[0];
    const tasks = shape?.build(seededRandom(3)) ?? [];
    const work = tasks.reduce((sum, task) => sum + task.duration_ms, 0);
    const result = run({ tasks, chain: true, policy: controllerPolicy() });
    expect(result.agents_spawned).toBe(1);
    expect(result.chain_scale_ups).toBe(0);
    expect(result.makespan_ms).toBe(work + SIMULATION_SETTINGS.spawn_lead_ms);
    expect(result.agent_ms).toBe(result.makespan_ms);
    // Fixed staffing puts cap agents on it: two of them are a chain scaled up.
    const fixed = run({ tasks, chain: true, policy: fixedMaximumPolicy(tasks, 3) });
    expect(fixed.chain_scale_ups).toBe(2);
    expect(fixed.agent_ms).toBe(3 * fixed.makespan_ms);
  });

  it('returns a dead holder\'s task after the grace period and frees its slot at once', () => {
    const tasks = [one('t1', 10 * MIN)];
    const dies: Fate = { kind: 'die', fraction: 0.5 };
    const result = run({ tasks, cap: 1, policy: controllerPolicy(), fate: (ordinal) => (ordinal === 0 ? dies : null) });
    expect(result.agents_failed).toBe(1);
    expect(result.agents_spawned).toBe(2);
    // 30 s to join, dies at 5 min: its slot frees at once, so a new agent is on its way while
    // recovery holds the task for the grace period; it starts the 10 minutes over.
    const diedAt = SIMULATION_SETTINGS.spawn_lead_ms + 5 * MIN;
    const { disconnect_grace_ms: grace, spawn_lead_ms: lead, tick_ms: tick } = SIMULATION_SETTINGS;
    expect(result.makespan_ms).toBeGreaterThanOrEqual(diedAt + Math.max(grace, lead) + 10 * MIN);
    expect(result.makespan_ms).toBeLessThanOrEqual(diedAt + Math.max(grace, lead) + 10 * MIN + 2 * tick);
  });

  it("keeps a stalled agent's slot until it is lost, and its task until the lease passes", () => {
    const tasks = [one('t1', 10 * MIN)];
    const stalls: Fate = { kind: 'stall', fraction: 0.5 };
    const fate = (ordinal: number): Fate => (ordinal === 0 ? stalls : null);
    const stalledAt = SIMULATION_SETTINGS.spawn_lead_ms + 5 * MIN;
    const { lease_ms: lease, spawn_lead_ms: lead, tick_ms: tick } = SIMULATION_SETTINGS;
    // With one slot and a lead that never closes it, nobody can take over until the stalled agent is lost.
    const single = run({ tasks, cap: 1, policy: fixedMaximumPolicy(tasks, 1), fate });
    expect(single.makespan_ms).toBeGreaterThanOrEqual(stalledAt + SIMULATION_SETTINGS.stale_ms - SIMULATION_SETTINGS.heartbeat_every_ms + lead + 10 * MIN);
    // The controller has the lead close it once recovery took its claim back and it is still silent.
    const closed = run({ tasks, cap: 1, policy: controllerPolicy(), fate });
    expect(closed.retires).toBe(1);
    expect(closed.makespan_ms).toBeGreaterThanOrEqual(stalledAt + lead + 10 * MIN);
    expect(closed.makespan_ms).toBeLessThanOrEqual(stalledAt + lease + 2 * tick + lead + 10 * MIN);
    // With two, a new agent takes the task once its lease has passed.
    const two = run({ tasks, cap: 2, policy: controllerPolicy(), fate });
    expect(two.makespan_ms).toBeGreaterThanOrEqual(stalledAt + 10 * MIN);
    expect(two.makespan_ms).toBeLessThanOrEqual(stalledAt + SIMULATION_SETTINGS.lease_ms + SIMULATION_SETTINGS.spawn_lead_ms + 10 * MIN + 3 * SIMULATION_SETTINGS.tick_ms);
    expect(two.agents_spawned).toBe(2);
  });

  it("with instant recovery (an ablation), returns a failed holder's task and frees its slot the moment it fails", () => {
    const tasks = [one('t1', 10 * MIN)];
    const stalls: Fate = { kind: 'stall', fraction: 0.5 };
    const { spawn_lead_ms: lead, tick_ms: tick } = SIMULATION_SETTINGS;
    // With one slot, a new agent comes only because the stalled one's slot frees at once.
    const result = run({ tasks, cap: 1, policy: controllerPolicy(), fate: (ordinal) => (ordinal === 0 ? stalls : null), recovery: 'instant' });
    const failedAt = lead + 5 * MIN;
    expect(result.agents_failed).toBe(1);
    expect(result.makespan_ms).toBeGreaterThanOrEqual(failedAt + lead + 10 * MIN);
    expect(result.makespan_ms).toBeLessThanOrEqual(failedAt + tick + lead + 10 * MIN);
  });

  it('counts a spawn of a role within RESPAWN_WINDOW_MS of retiring one as a respawn', () => {
    // The implementer is done at 90 s and retired at 100 s; spawned again at 200 s (a respawn: the
    // window is 5 minutes) and at 500 s (not: the last retire was 400 s before).
    expect(RESPAWN_WINDOW_MS).toBe(5 * MIN);
    const script: StaffingPolicy = {
      decide(view) {
        const idle = view.agents.filter((a) => a.role === 'implementer' && a.state === 'idle' && view.now < 200_000).map((a) => a.id);
        const spawn = view.now === 0 ? ['implementer', 'tester'] : view.now === 200_000 || view.now === 500_000 ? ['implementer'] : [];
        return { spawn, retire: idle, desired_total: null };
      },
    };
    const result = run({ tasks: [one('a', MIN, [], 'implementer'), one('b', 10 * MIN, [], 'tester')], policy: script });
    expect(result.retires).toBe(1);
    expect(result.agents_spawned).toBe(4);
    expect(result.respawns).toBe(1);
  });

  it('counts a decision above the cap and refuses the spawn, as the store would', () => {
    const greedy: StaffingPolicy = { decide: (view) => ({ spawn: view.now === 0 ? ['implementer', 'implementer', 'implementer', 'implementer'] : [], retire: [], desired_total: null }) };
    const result = run({ tasks: [one('a', MIN), one('b', MIN)], policy: greedy });
    expect(result.decisions_above_cap).toBe(1);
    expect(result.max_slot_holders).toBe(3);
  });

  it('gives every seed of a shape the same task count, and fates the same to every policy', () => {
    const shape = shapes('demo-cap3')[0];
    const seed = runSeed(1, 0, 0);
    const tasks = shape?.build(seededRandom(seed)) ?? [];
    expect(tasks).toHaveLength(12);
    expect(instanceBounds(tasks, 3).lower_bound_ms).toBeGreaterThan(0);
    // Fanout and the controller each meet the fates of their own spawns, drawn in the same order.
    const fanout = run({ tasks, seed, policy: todaysFanoutPolicy(profile), fate: undefined });
    const again = run({ tasks, seed, policy: todaysFanoutPolicy(profile), fate: undefined });
    expect(again).toEqual(fanout);
  });
});

describe('size estimates in the simulated world', () => {
  it('are each true duration off by at most ESTIMATE_ERROR, in whole minutes, the same for the same seed', () => {
    const tasks = shapes('fork-join-8')[0]?.build(seededRandom(5)) ?? [];
    const estimated = withEstimates(tasks, seededRandom(9));
    expect(withEstimates(tasks, seededRandom(9))).toEqual(estimated);
    for (const task of estimated) {
      const estimate = task.estimate_ms ?? 0;
      expect(estimate % MIN).toBe(0);
      expect(estimate).toBeGreaterThanOrEqual(MIN);
      // Rounding to a minute may add half a minute to the factor's error.
      expect(Math.abs(estimate - task.duration_ms)).toBeLessThanOrEqual(ESTIMATE_ERROR * task.duration_ms + MIN / 2);
    }
    expect(new Set(estimated.map((task) => (task.estimate_ms ?? 0) / task.duration_ms)).size).toBeGreaterThan(1);
  });

  it('start the longest task first when claim order knows them, and are ignored by a size-blind run', () => {
    // A root, then two short tasks and a long one created last; two agents from the start.
    const tasks = [one('r', MIN), one('a', MIN, ['r']), one('b', MIN, ['r']), one('c', 10 * MIN, ['r'])];
    const estimated = tasks.map((task) => ({ ...task, estimate_ms: task.id === 'c' ? 8 * MIN : MIN }));
    const fixed = () => fixedMaximumPolicy(tasks, 2);
    const withSizes = run({ tasks: estimated, cap: 2, policy: fixed(), knowledge: 'estimates' });
    const blind = run({ tasks: estimated, cap: 2, policy: fixed(), knowledge: 'blind' });
    expect(withSizes.makespan_ms).toBeLessThan(blind.makespan_ms);
    expect(blind).toEqual(run({ tasks, cap: 2, policy: fixed(), knowledge: 'blind' }));
  });
});

describe('fixedRoster', () => {
  it('gives every role a slot while slots last, the rest in proportion to the tasks', () => {
    const tasks = [
      ...Array.from({ length: 6 }, (_, i) => one(`i${i}`, MIN)),
      ...Array.from({ length: 3 }, (_, i) => one(`t${i}`, MIN, [], 'tester')),
      one('r', MIN, [], 'reviewer'),
    ];
    expect(Object.fromEntries(fixedRoster(tasks, 3))).toEqual({ implementer: 1, tester: 1, reviewer: 1 });
    expect(Object.fromEntries(fixedRoster(tasks, 6))).toEqual({ implementer: 3, tester: 2, reviewer: 1 });
    expect(Object.fromEntries(fixedRoster(tasks, 2))).toEqual({ implementer: 1, tester: 1 });
  });
});
