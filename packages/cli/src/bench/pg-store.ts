import { join } from 'node:path';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import { openPostgresTeamStore, withPgScratchSchema } from '@codex-team/store';
import { benchGoal, median, quantile, type BenchContext, type BenchGoal, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';
import type { ClaimWorkerResult } from './claim-worker';
import { PG_BENCH_URL_ENV, pgCeilingPhase, type PgPhase } from './pg-claims';
import { raceWorkers } from './worker-race';

/** The worker, built beside this file (dist/bench/pg-store-worker.js). */
const WORKER = join(__dirname, 'pg-store-worker.js');
const CLIENT_COUNTS = [1, 4, 16] as const;
/** A team runs at most 6 teammates: more clients are spread over more teams of one database. */
const TEAMMATES_PER_TEAM = 6;
/** Goal of the many-machines issue: the adapter does at least half of the raw ceiling. */
const CEILING_RATIO_GOAL = 0.5;

/** Teams of at most six teammates for `clients` clients, with `pairs` independent ready tasks split among them. */
async function seed(url: string, schema: string, clients: number, pairs: number): Promise<{ teamId: string; agentId: string }[]> {
  const store = await openPostgresTeamStore({ url, schema, clock: systemClock, ids: new RandomIdGenerator() });
  try {
    const seats: { teamId: string; agentId: string }[] = [];
    const teams = Math.ceil(clients / TEAMMATES_PER_TEAM);
    for (let team = 0; team < teams; team += 1) {
      const members = Array.from({ length: clients }, (_, i) => i).filter((i) => i % teams === team);
      const bound = await store.createTeam({ name: `bench-${team}`, objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: `bench-lead-${team}` });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      for (const i of members) {
        await store.spawnAgent(lead, { name: `w${i}`, role: 'implementer', joinTicketHash: `bench-join-${i}` });
        seats.push({ teamId: lead.teamId, agentId: (await store.joinAgent({ joinTicketHash: `bench-join-${i}`, resumeTicketHash: `bench-resume-${i}` })).agent.id });
      }
      const share = Math.round((pairs * members.length) / clients);
      const tasks = Array.from({ length: share }, (_, i) => ({ title: `t${i}`, description: '', priority: 0, depends_on: [] }));
      for (let made = 0; made < tasks.length; made += 1_000) await store.createTasks(lead, { tasks: tasks.slice(made, made + 1_000) });
    }
    return seats;
  } finally {
    await store.close();
  }
}

/** The adapter: one process per client (as one server process per agent), released together. */
async function adapter(url: string, clients: number, pairs: number): Promise<PgPhase> {
  return withPgScratchSchema(url, 'codex_team_bench', async (schema) => {
    const seats = await seed(url, schema, clients, pairs);
    const results = await raceWorkers<ClaimWorkerResult>(WORKER, seats.map((seat) => [url, schema, seat.teamId, seat.agentId]));
    const done = results.reduce((sum, result) => sum + result.pairs, 0);
    const elapsedMs = Math.max(...results.map((result) => result.elapsedMs));
    return { pairsPerSecond: done / (elapsedMs / 1_000), claimLatenciesMs: results.flatMap((result) => result.latenciesMs) };
  });
}

async function run(context: BenchContext): Promise<BenchReport> {
  const url = context.env[PG_BENCH_URL_ENV] ?? '';
  const pairs = context.quick ? 96 : 1_200;
  const rounds = context.quick ? 1 : 3;
  const measurements: BenchMeasurement[] = [];
  const goals: BenchGoal[] = [];
  const throughput = new Map<number, number>();
  for (const clients of CLIENT_COUNTS) {
    const stores: PgPhase[] = [];
    const raws: PgPhase[] = [];
    // Alternated, so drift in the machine's load falls on both alike.
    for (let round = 0; round < rounds; round += 1) {
      if (round % 2 === 0) {
        stores.push(await adapter(url, clients, pairs));
        raws.push(await pgCeilingPhase(url, clients, pairs));
      } else {
        raws.push(await pgCeilingPhase(url, clients, pairs));
        stores.push(await adapter(url, clients, pairs));
      }
    }
    const store = median(stores.map((phase) => phase.pairsPerSecond));
    const raw = median(raws.map((phase) => phase.pairsPerSecond));
    const latencies = stores.flatMap((phase) => phase.claimLatenciesMs);
    const rawLatencies = raws.flatMap((phase) => phase.claimLatenciesMs);
    throughput.set(clients, store);
    const label = `${clients} client${clients === 1 ? '' : 's'}`;
    measurements.push(
      { name: `${label}: adapter claim+complete pairs/s`, value: store, unit: 'pairs/s' },
      { name: `${label}: raw ceiling claim+complete pairs/s`, value: raw, unit: 'pairs/s' },
      { name: `${label}: ratio to ceiling`, value: store / raw, unit: 'x' },
      { name: `${label}: adapter claim p50`, value: median(latencies), unit: 'ms' },
      { name: `${label}: adapter claim p99`, value: quantile(latencies, 0.99), unit: 'ms' },
      { name: `${label}: raw claim p99`, value: quantile(rawLatencies, 0.99), unit: 'ms' },
    );
    goals.push(benchGoal(`${label}: adapter vs raw ceiling`, store / raw, 'at_least', CEILING_RATIO_GOAL, 'x'));
    context.progress(`${label}: adapter ${store.toFixed(0)} pairs/s, ceiling ${raw.toFixed(0)}, ratio ${(store / raw).toFixed(2)}, claim p99 ${quantile(latencies, 0.99).toFixed(1)} ms`);
  }
  const rising = (throughput.get(16) ?? Number.NaN) / (throughput.get(1) ?? Number.NaN);
  measurements.push({ name: 'adapter 16 clients / 1 client', value: rising, unit: 'x' });
  goals.push(benchGoal('adapter throughput rises from 1 to 16 clients', rising, 'at_least', 1, 'x'));
  return { benchmark: 'pg-store', measurements, goals };
}

/**
 * Claim + complete pairs per second through the PostgreSQL TeamStore adapter at 1, 4 and 16
 * clients, each client its own process (one server process per agent; teams of at most six), beside
 * the raw ceiling of the same claim SQL without the store (runPgClaimCeiling, as many connections),
 * measured in the same run, on scratch schemas dropped afterwards. Three rounds (one with --quick);
 * the median. The adapter serializes writes (one writer per database, as SQLite): see docs/scale.md.
 */
export const pgStoreBenchmark: Benchmark = {
  name: 'pg-store',
  summary: 'claim+complete pairs/s through the PostgreSQL store adapter at 1-16 clients, as ratios against the raw SQL ceiling ($CODEX_TEAM_PG_URL)',
  requiresEnv: { name: PG_BENCH_URL_ENV, meaning: 'the URL of a PostgreSQL database it may create (and drop) scratch schemas in' },
  run,
};
