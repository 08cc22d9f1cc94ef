import { join } from 'node:path';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { benchGoal, median, quantile, type BenchContext, type BenchGoal, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';
import type { ClaimWorkerResult } from './claim-worker';
import { raceWorkers } from './worker-race';

/** The worker, built beside this file (dist/bench/claim-worker.js). */
const WORKER = join(__dirname, 'claim-worker.js');
const PROCESS_COUNTS = [1, 2, 4, 6] as const;

/** Goals of the recovery issue. */
const CEILING_RATIO_GOAL = 0.5;
const PAIRS_AT_FOUR_GOAL = 400;
const P99_CLAIM_GOAL_MS = 15;

interface Phase {
  pairsPerSecond: number;
  latenciesMs: number[];
}

/** Forks the workers, releases them together, and combines what each measured. */
async function race(argsOf: (index: number) => string[], processes: number): Promise<Phase> {
  const results = await raceWorkers<ClaimWorkerResult>(
    WORKER,
    Array.from({ length: processes }, (_, index) => argsOf(index)),
  );
  const pairs = results.reduce((sum, result) => sum + result.pairs, 0);
  const elapsedMs = Math.max(...results.map((result) => result.elapsedMs));
  return { pairsPerSecond: pairs / (elapsedMs / 1_000), latenciesMs: results.flatMap((result) => result.latenciesMs) };
}

/** A team of `processes` teammates and `pairs` independent ready tasks, in a fresh store file. */
async function seed(path: string, processes: number, pairs: number): Promise<{ teamId: string; agents: string[] }> {
  const store = await openSqliteTeamStore({
    path,
    clock: systemClock,
    ids: new RandomIdGenerator(),
  });
  try {
    const bound = await store.createTeam({ name: 'bench', objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: 'bench-lead' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const agents: string[] = [];
    for (let i = 0; i < processes; i += 1) {
      await store.spawnAgent(lead, { name: `w${i}`, role: 'implementer', joinTicketHash: `bench-join-${i}` });
      agents.push((await store.joinAgent({ joinTicketHash: `bench-join-${i}`, resumeTicketHash: `bench-resume-${i}` })).agent.id);
    }
    for (let made = 0; made < pairs; made += 1_000) {
      const tasks = Array.from({ length: Math.min(1_000, pairs - made) }, (_, i) => ({
        title: `t${made + i}`,
        description: '',
        priority: 0,
        depends_on: [],
      }));
      await store.createTasks(lead, { tasks });
    }
    return { teamId: bound.team.id, agents };
  } finally {
    await store.close();
  }
}

/** Rounds of store and ceiling, alternated so drift in machine load falls on both alike; medians. */
async function measure(context: BenchContext, processes: number, pairs: number, rounds: number): Promise<{ store: Phase; raw: Phase }> {
  const stores: Phase[] = [];
  const raws: Phase[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const storePath = join(context.workDir, `claims-${processes}-${round}.db`);
    const { teamId, agents } = await seed(storePath, processes, pairs);
    // The ceiling does the same number of IMMEDIATE transactions: two per claim + complete pair.
    const perProcess = Math.ceil((2 * pairs) / processes);
    const rawPath = join(context.workDir, `raw-${processes}-${round}.db`);
    const runStore = async () => stores.push(await race((i) => ['store', storePath, teamId, agents[i] ?? ''], processes));
    const runRaw = async () => raws.push(await race((i) => ['raw', rawPath, `w${i}`, String(perProcess)], processes));
    if (round % 2 === 0) {
      await runStore();
      await runRaw();
    } else {
      await runRaw();
      await runStore();
    }
  }
  const combine = (phases: Phase[]): Phase => ({
    pairsPerSecond: median(phases.map((phase) => phase.pairsPerSecond)),
    latenciesMs: phases.flatMap((phase) => phase.latenciesMs),
  });
  return { store: combine(stores), raw: combine(raws) };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const pairs = context.quick ? 120 : 1_600;
  const rounds = context.quick ? 1 : 5;
  const measurements: BenchMeasurement[] = [];
  const goals: BenchGoal[] = [];
  for (const processes of PROCESS_COUNTS) {
    const { store, raw } = await measure(context, processes, pairs, rounds);
    const ratio = store.pairsPerSecond / raw.pairsPerSecond;
    const p50 = median(store.latenciesMs);
    const p99 = quantile(store.latenciesMs, 0.99);
    const rawP50 = median(raw.latenciesMs);
    const rawP99 = quantile(raw.latenciesMs, 0.99);
    const label = `${processes} process${processes === 1 ? '' : 'es'}`;
    measurements.push(
      { name: `${label}: claim+complete pairs/s`, value: store.pairsPerSecond, unit: 'pairs/s' },
      { name: `${label}: raw ceiling (IMMEDIATE tx/s / 2)`, value: raw.pairsPerSecond, unit: 'pairs/s' },
      { name: `${label}: ratio to ceiling`, value: ratio, unit: 'x' },
      { name: `${label}: claim p50`, value: p50, unit: 'ms' },
      { name: `${label}: claim p99`, value: p99, unit: 'ms' },
      { name: `${label}: raw tx p50`, value: rawP50, unit: 'ms' },
      { name: `${label}: raw tx p99`, value: rawP99, unit: 'ms' },
      { name: `${label}: claim p99 / raw tx p99`, value: p99 / rawP99, unit: 'x' },
    );
    goals.push(benchGoal(`${label}: throughput vs raw ceiling`, ratio, 'at_least', CEILING_RATIO_GOAL, 'x'));
    if (processes === 4) {
      goals.push(benchGoal('4 processes: claim+complete pairs/s', store.pairsPerSecond, 'at_least', PAIRS_AT_FOUR_GOAL, 'pairs/s'));
      goals.push(benchGoal('4 processes: claim p99', p99, 'at_most', P99_CLAIM_GOAL_MS, 'ms'));
    }
    context.progress(`${label}: ${store.pairsPerSecond.toFixed(0)} pairs/s, ceiling ${raw.pairsPerSecond.toFixed(0)}, claim p99 ${p99.toFixed(1)} ms`);
  }
  return { benchmark: 'claim-throughput', measurements, goals };
}

/**
 * Claim + complete pairs per second with 1, 2, 4 and 6 processes on one store (synchronous=FULL),
 * each process its own teammate, and claim latency; every figure beside a raw ceiling measured in
 * the same run: bare better-sqlite3 IMMEDIATE transactions, as many, in as many processes. Five
 * rounds per process count (one with --quick); throughput is the median round.
 */
export const claimThroughputBenchmark: Benchmark = {
  name: 'claim-throughput',
  summary: 'claim+complete pairs/s and claim latency with 1-6 processes, as ratios against raw SQLite IMMEDIATE writes',
  run,
};
