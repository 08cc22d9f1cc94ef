import { runPgClaimCeiling } from '@codex-team/store';
import { median, quantile, type BenchContext, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';

/** The database the benchmark scratches in. */
export const PG_BENCH_URL_ENV = 'CODEX_TEAM_PG_URL';
const CLIENT_COUNTS = [1, 4, 16, 32] as const;

/** What one run of a client count measured. */
export interface PgPhase {
  pairsPerSecond: number;
  claimLatenciesMs: number[];
}

/** One run of the raw ceiling (runPgClaimCeiling); throws unless every pair went through unrefused. */
export async function pgCeilingPhase(url: string, clients: number, pairs: number): Promise<PgPhase> {
  const run = await runPgClaimCeiling({ url, clients, pairs });
  if (run.pairs !== pairs || run.staleCompletions !== 0) {
    throw new Error(`the ceiling run did ${run.pairs} of ${pairs} pairs with ${run.staleCompletions} refused completions`);
  }
  return { pairsPerSecond: run.pairs / (run.elapsedMs / 1_000), claimLatenciesMs: run.claimLatenciesMs };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const url = context.env[PG_BENCH_URL_ENV] ?? '';
  const pairs = context.quick ? 200 : 4_000;
  const rounds = context.quick ? 1 : 3;
  const measurements: BenchMeasurement[] = [];
  const throughput = new Map<number, number>();
  for (const clients of CLIENT_COUNTS) {
    const phases: PgPhase[] = [];
    for (let round = 0; round < rounds; round += 1) phases.push(await pgCeilingPhase(url, clients, pairs));
    const pairsPerSecond = median(phases.map((phase) => phase.pairsPerSecond));
    const latencies = phases.flatMap((phase) => phase.claimLatenciesMs);
    throughput.set(clients, pairsPerSecond);
    const label = `${clients} client${clients === 1 ? '' : 's'}`;
    measurements.push(
      { name: `${label}: raw ceiling claim+complete pairs/s`, value: pairsPerSecond, unit: 'pairs/s' },
      { name: `${label}: raw claim p50`, value: median(latencies), unit: 'ms' },
      { name: `${label}: raw claim p99`, value: quantile(latencies, 0.99), unit: 'ms' },
    );
    context.progress(`${label}: ceiling ${pairsPerSecond.toFixed(0)} pairs/s, claim p99 ${quantile(latencies, 0.99).toFixed(1)} ms`);
  }
  measurements.push({
    name: 'raw ceiling 16 clients / 1 client',
    value: (throughput.get(16) ?? Number.NaN) / (throughput.get(1) ?? Number.NaN),
    unit: 'x',
  });
  // The store's PostgreSQL adapter joins this report, measured beside the ceiling in the same run,
  // with the goals of the many-machines issue (at least half the ceiling, rising from 1 to 16 clients).
  return { benchmark: 'pg-claims', measurements, goals: [] };
}

/**
 * Claim + complete pairs per second on PostgreSQL at 1, 4, 16 and 32 concurrent clients, each on
 * its own connection: for now the raw ceiling only (the store's SQL shape without the store, on a
 * scratch schema dropped afterwards). Three rounds per client count (one with --quick); the median.
 */
export const pgClaimsBenchmark: Benchmark = {
  name: 'pg-claims',
  summary: 'claim+complete pairs/s on PostgreSQL at 1-32 clients: the raw SQL ceiling ($CODEX_TEAM_PG_URL)',
  requiresEnv: { name: PG_BENCH_URL_ENV, meaning: 'the URL of a PostgreSQL database it may create (and drop) a scratch schema in' },
  run,
};
