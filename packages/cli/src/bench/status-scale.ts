import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RandomIdGenerator, seededRandom, systemClock, type ToolInput } from '@codex-team/contracts';
import { readyTasks, remainingCriticalPath } from '@codex-team/scheduler';
import { openSqliteTeamStore, type Actor } from '@codex-team/store';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, type BenchContext, type BenchGoal, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';
import { callTool, connectServer } from './mcp-client';

/**
 * Near linear: ten times the tasks may cost at most this many times as much (n log n is ~13), or
 * as much more as a bare hash pass over the same DAG costs on this machine, when that grows faster:
 * past the CPU caches every random access costs more, whatever the algorithm (see hashPassMs).
 */
const GROWTH_GOAL = 15;
const BATCH = 1_000;

/** A tool call given all the time it needs: a 100k-task DAG takes a while to read or create. */
function call(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  return callTool(client, name, args, { timeoutMs: 600_000 });
}

/** Times `repeat` runs of `work` after one warm-up; the median, in milliseconds. */
async function timed(repeat: number, work: () => unknown): Promise<number> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/**
 * A DAG of `size` tasks made through team_task_create, a thousand per call: each task depends on
 * 0-3 tasks made before it, so about a tenth start ready and the rest wait.
 */
async function seedDag(client: Client, size: number, random: () => number): Promise<void> {
  const ids: string[] = [];
  for (let made = 0; made < size; made += BATCH) {
    const tasks: ToolInput<'team_task_create'>['tasks'] = [];
    for (let i = 0; i < Math.min(BATCH, size - made); i += 1) {
      const deps = new Set<string>();
      const want = ids.length === 0 || random() < 0.1 ? 0 : 1 + Math.floor(random() * 3);
      while (deps.size < Math.min(want, ids.length)) deps.add(ids[Math.floor(random() * ids.length)] ?? '');
      tasks.push({ title: `task ${made + i}`, description: '', priority: Math.floor(random() * 5), depends_on: [...deps] });
    }
    const out = (await call(client, 'team_task_create', { tasks })) as { ids: string[] };
    ids.push(...out.ids);
  }
}

interface ScalePoint {
  size: number;
  statusMs: number;
  readTeamMs: number;
  readinessMs: number;
  claimMs: number;
  /**
   * The baseline: index every task id in a Map and look up every dependency once, the least any
   * work over the whole DAG does. Its growth is the machine's, not ours.
   */
  hashPassMs: number;
}

/** The bare hash pass over `tasks` (see ScalePoint.hashPassMs). */
function hashPass(tasks: readonly { id: string; depends_on: readonly string[] }[]): number {
  const indexOf = new Map<string, number>();
  tasks.forEach((task, index) => indexOf.set(task.id, index));
  let found = 0;
  for (const task of tasks) for (const dep of task.depends_on) found += indexOf.has(dep) ? 1 : 0;
  return found;
}

async function measureScale(context: BenchContext, size: number): Promise<ScalePoint> {
  const dbPath = join(context.workDir, `scale-${size}.db`);
  const { client } = await connectServer([mcpServerBinPath(), '--db', dbPath, '--log-level', 'warn', '--sweep-ms', '0']);
  try {
    const started = (await call(client, 'team_start', { name: 'scale', objective: 'status at scale' })) as {
      team: { id: string };
      agent: { id: string };
    };
    await seedDag(client, size, seededRandom(size));
    const repeat = context.quick || size >= 100_000 ? 3 : 7;
    // In-process measures are cheap: more runs, so one garbage collection does not move the median.
    const inProcessRepeat = context.quick ? 3 : 9;
    // The lead's team_status: counts, and the staffing hints over the whole DAG.
    const statusMs = await timed(repeat, () => call(client, 'team_status', {}));
    const store = await openSqliteTeamStore({
      path: dbPath,
      clock: systemClock,
      ids: new RandomIdGenerator(),
    });
    try {
      const lead: Actor = { teamId: started.team.id, agentId: started.agent.id };
      const readTeamMs = await timed(repeat, () => store.readTeam(lead.teamId));
      const snapshot = await store.readTeam(lead.teamId);
      // Readiness as the scheduler decides it (the hints): the ready set in claim order and the critical path.
      const readinessMs = await timed(inProcessRepeat, () => {
        readyTasks(snapshot.tasks);
        remainingCriticalPath(snapshot.tasks);
      });
      const hashPassMs = await timed(inProcessRepeat, () => hashPass(snapshot.tasks));
      // Readiness as a claim decides it, inside the store's transaction.
      const claimMs = await timed(inProcessRepeat, () => store.claimNextTask(lead, { leaseMs: 600_000 }));
      return { size, statusMs, readTeamMs, readinessMs, claimMs, hashPassMs };
    } finally {
      await store.close();
    }
  } finally {
    await client.close();
  }
}

const METRICS: readonly { key: keyof Omit<ScalePoint, 'size'>; label: string }[] = [
  { key: 'statusMs', label: 'team_status (lead, with hints) over MCP' },
  { key: 'readTeamMs', label: 'store readTeam (the whole DAG)' },
  { key: 'readinessMs', label: 'scheduler readiness + critical path' },
  { key: 'claimMs', label: 'claim of the next ready task' },
];
const BASELINE = { key: 'hashPassMs', label: 'bare hash pass over the DAG (baseline)' } as const;

/** Per tenfold growth of the DAG from `small` to `large`, whatever the step between the sizes. */
function growthOf(small: ScalePoint, large: ScalePoint, key: keyof Omit<ScalePoint, 'size'>): number {
  return (large[key] / small[key]) ** (1 / Math.log10(large.size / small.size));
}

async function run(context: BenchContext): Promise<BenchReport> {
  const sizes = context.quick ? [300, 1_000, 3_000] : [1_000, 10_000, 100_000];
  const points: ScalePoint[] = [];
  for (const size of sizes) {
    const point = await measureScale(context, size);
    points.push(point);
    context.progress(`${size} tasks: team_status ${point.statusMs.toFixed(1)} ms, claim ${point.claimMs.toFixed(2)} ms`);
  }
  const measurements: BenchMeasurement[] = [];
  const goals: BenchGoal[] = [];
  for (const metric of [...METRICS, BASELINE]) {
    for (const point of points) measurements.push({ name: `${metric.label} @ ${point.size}`, value: point[metric.key], unit: 'ms' });
    for (let i = 1; i < points.length; i += 1) {
      const small = points[i - 1];
      const large = points[i];
      if (small === undefined || large === undefined) continue;
      const growth = growthOf(small, large, metric.key);
      measurements.push({ name: `${metric.label}: growth per 10x tasks (${small.size} -> ${large.size})`, value: growth, unit: 'x' });
      if (i !== points.length - 1 || metric === BASELINE) continue;
      const allowed = Math.max(GROWTH_GOAL, growthOf(small, large, BASELINE.key));
      goals.push(benchGoal(`${metric.label}: near linear at the largest step`, growth, 'at_most', allowed, 'x'));
    }
  }
  return { benchmark: 'status-scale', measurements, goals };
}

/**
 * team_status and readiness on DAGs of 1k, 10k and 100k tasks: how each grows with the DAG. Linear
 * would be 10x per tenfold; the goal is near linear at the largest step: at most 15x, or the growth
 * of a bare hash pass over the same DAG measured in the same run, when the machine makes that larger.
 */
export const statusScaleBenchmark: Benchmark = {
  name: 'status-scale',
  summary: 'team_status, readiness and claims on DAGs of 1k, 10k and 100k tasks: growth per tenfold',
  run,
};
