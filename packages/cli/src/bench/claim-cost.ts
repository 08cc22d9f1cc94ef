import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RandomIdGenerator, seededRandom, systemClock, type ToolInput } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { median, quantile, type BenchContext, type BenchMeasurement, type BenchReport, type BenchTable, type Benchmark } from './benchmark';

type NewTask = ToolInput<'team_task_create'>['tasks'][number];

/** A DAG shape: `size` tasks (about), each naming its dependencies by key among those before it. */
interface Shape {
  name: string;
  tasks(size: number, random: () => number): NewTask[];
}

/** A task keyed by its place; a third carry a size estimate (1-60 min), half name the implementer role. */
function task(index: number, depends: number[], random: () => number): NewTask {
  const estimate = random() < 1 / 3 ? { estimate_min: 1 + Math.floor(random() * 60) } : {};
  const role = random() < 0.5 ? { required_role: 'implementer' } : {};
  return { key: `k${index}`, title: `t${index}`, description: '', priority: Math.floor(random() * 3), depends_on: depends.map((at) => `k${at}`), ...estimate, ...role };
}

const SHAPES: readonly Shape[] = [
  // Nothing waits on anything: claim order needs no work below a candidate.
  { name: 'flat backlog', tasks: (size, random) => Array.from({ length: size }, (_, i) => task(i, [], random)) },
  // A third of the tasks ready at the start, each with two waiting behind it.
  { name: 'three-task chains', tasks: (size, random) => Array.from({ length: size }, (_, i) => task(i, i % 3 === 0 ? [] : [i - 1], random)) },
  // Blocks of one fork, 38 branches and one join.
  {
    name: 'fork-join blocks of 40',
    tasks: (size, random) =>
      Array.from({ length: size }, (_, i) => {
        const start = i - (i % 40);
        const at = i % 40;
        return task(i, at === 0 ? [] : at === 39 ? Array.from({ length: 38 }, (_x, b) => start + 1 + b) : [start], random);
      }),
  },
  // Each task after the first tenth depends on 1-3 tasks made before it.
  {
    name: 'random layered',
    tasks: (size, random) =>
      Array.from({ length: size }, (_, i) => {
        const deps = new Set<number>();
        const want = i < size / 10 ? 0 : 1 + Math.floor(random() * 3);
        while (deps.size < want) deps.add(Math.floor(random() * i));
        return task(i, [...deps], random);
      }),
  },
];

interface Drain {
  claimsMs: number[];
  cpuMsPerPair: number;
}

/**
 * One teammate claims and completes every task of a fresh team of `shape` until none is left, in
 * this process, on a store opened with or without critical-path ranking.
 */
async function drain(path: string, shape: Shape, size: number, rankClaims: boolean): Promise<Drain> {
  const store = await openSqliteTeamStore({ path, clock: systemClock, ids: new RandomIdGenerator(), rankClaims });
  try {
    const bound = await store.createTeam({ name: 'bench', objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: 'bench-lead' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    await store.spawnAgent(lead, { name: 'w', role: 'implementer', joinTicketHash: 'bench-join' });
    const mate = { teamId: bound.team.id, agentId: (await store.joinAgent({ joinTicketHash: 'bench-join', resumeTicketHash: 'bench-resume' })).agent.id };
    const tasks = shape.tasks(size, seededRandom(size));
    // A thousand per call; a dependency made by an earlier call is named by its id.
    const ids = new Map<string, string>();
    for (let made = 0; made < tasks.length; made += 1_000) {
      const batch = tasks.slice(made, made + 1_000).map((each) => ({ ...each, depends_on: each.depends_on.map((key) => ids.get(key) ?? key) }));
      const created = await store.createTasks(lead, { tasks: batch });
      created.tasks.forEach((each, at) => ids.set(batch[at]?.key ?? '', each.id));
    }
    const claimsMs: number[] = [];
    const cpu = process.cpuUsage();
    for (;;) {
      const before = performance.now();
      const next = await store.claimNextTask(mate, { leaseMs: 600_000 });
      if (next.claim === null) break;
      claimsMs.push(performance.now() - before);
      await store.completeTask(mate, { task_id: next.claim.task.id, fence: next.claim.fence, outcome: 'done', result: 'benchmark', artifact_ids: [] });
    }
    const used = process.cpuUsage(cpu);
    if (claimsMs.length !== tasks.length) throw new Error(`claim-cost: ${shape.name} drained ${claimsMs.length} of ${tasks.length} tasks`);
    return { claimsMs, cpuMsPerPair: (used.user + used.system) / 1_000 / claimsMs.length };
  } finally {
    await store.close();
  }
}

interface ShapeCost {
  shape: string;
  ranked: { p50: number; p99: number; cpu: number };
  unranked: { p50: number; p99: number; cpu: number };
}

/** Rounds of ranked and unranked drains, alternated so drift in machine load falls on both alike. */
async function measureShape(context: BenchContext, shape: Shape, size: number, rounds: number): Promise<ShapeCost> {
  const runs = { ranked: [] as Drain[], unranked: [] as Drain[] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const rankClaims of order) {
      const path = join(context.workDir, `${shape.name.replace(/\W+/g, '-')}-${round}-${rankClaims ? 'ranked' : 'unranked'}.db`);
      (rankClaims ? runs.ranked : runs.unranked).push(await drain(path, shape, size, rankClaims));
    }
  }
  const summary = (drains: Drain[]) => {
    const claims = drains.flatMap((each) => each.claimsMs);
    return { p50: median(claims), p99: quantile(claims, 0.99), cpu: median(drains.map((each) => each.cpuMsPerPair)) };
  };
  return { shape: shape.name, ranked: summary(runs.ranked), unranked: summary(runs.unranked) };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const size = context.quick ? 120 : 1_600;
  const rounds = context.quick ? 1 : 3;
  const costs: ShapeCost[] = [];
  for (const shape of SHAPES) {
    const cost = await measureShape(context, shape, size, rounds);
    costs.push(cost);
    context.progress(`${shape.name}: claim p50 ${cost.ranked.p50.toFixed(2)} ms ranked, ${cost.unranked.p50.toFixed(2)} ms unranked`);
  }
  const measurements: BenchMeasurement[] = [];
  const ms = (value: number) => value.toFixed(2);
  const table: BenchTable = {
    title: `claim cost per shape (${size} tasks, one teammate drains the team, ${rounds} round${rounds === 1 ? '' : 's'} each)`,
    columns: ['shape', 'p50 ranked', 'p50 unranked', 'ratio', 'p99 ranked', 'p99 unranked', 'cpu/pair ranked', 'cpu/pair unranked', 'ratio'],
    rows: costs.map((cost) => [
      cost.shape,
      ms(cost.ranked.p50),
      ms(cost.unranked.p50),
      (cost.ranked.p50 / cost.unranked.p50).toFixed(2),
      ms(cost.ranked.p99),
      ms(cost.unranked.p99),
      ms(cost.ranked.cpu),
      ms(cost.unranked.cpu),
      (cost.ranked.cpu / cost.unranked.cpu).toFixed(2),
    ]),
  };
  for (const cost of costs) {
    measurements.push(
      { name: `${cost.shape}: claim p50 ranked / unranked`, value: cost.ranked.p50 / cost.unranked.p50, unit: 'x' },
      { name: `${cost.shape}: claim p99 ranked / unranked`, value: cost.ranked.p99 / cost.unranked.p99, unit: 'x' },
      { name: `${cost.shape}: CPU per claim+complete ranked / unranked`, value: cost.ranked.cpu / cost.unranked.cpu, unit: 'x' },
      { name: `${cost.shape}: claim p50 ranked`, value: cost.ranked.p50, unit: 'ms' },
      { name: `${cost.shape}: CPU per claim+complete ranked`, value: cost.ranked.cpu, unit: 'ms' },
    );
  }
  const worst = Math.max(...costs.map((cost) => cost.ranked.p50 / cost.unranked.p50));
  measurements.push({ name: 'worst shape: claim p50 ranked / unranked', value: worst, unit: 'x' });
  return {
    benchmark: 'claim-cost',
    tables: [table],
    notes: [
      'ranked: the store as shipped (claim order CLAIM_ORDER: critical-path rank, priority, creation, ranked inside the claim).',
      'unranked: the same store opened with rankClaims false (priority, then creation; what claims did before ranking).',
      'Same DAGs, same process, rounds alternated. Claim latency includes the commit (synchronous=FULL); CPU is user+system per claim+complete pair.',
    ],
    measurements,
    goals: [],
  };
}

/**
 * What critical-path ranking adds to a claim: one teammate drains DAGs of 1,600 tasks (flat,
 * chains, fork-join, random layered) on the store as shipped and on the same store without
 * ranking, in the same run; claim latency and CPU per pair, as ratios. No goal: the issue sets none.
 */
export const claimCostBenchmark: Benchmark = {
  name: 'claim-cost',
  summary: 'claim latency and CPU with critical-path ranking against the same store without it, on four DAG shapes',
  run,
};
