import { authorizationBenchmark } from './authorization';
import type { Benchmark } from './benchmark';
import { claimThroughputBenchmark } from './claim-throughput';
import { hooksBenchmark } from './hooks';
import { httpRoundTripBenchmark } from './http-round-trip';
import { pgClaimsBenchmark } from './pg-claims';
import { redactionBenchmark } from './redaction';
import { startupBenchmark } from './startup';
import { statusScaleBenchmark } from './status-scale';

/**
 * Every `codex-team bench` benchmark, in the order they run. To add one, write
 * `bench/<name>.ts` exporting a `Benchmark` and list it here.
 */
export const BENCHMARKS: readonly Benchmark[] = [
  startupBenchmark,
  httpRoundTripBenchmark,
  authorizationBenchmark,
  claimThroughputBenchmark,
  statusScaleBenchmark,
  hooksBenchmark,
  redactionBenchmark,
  pgClaimsBenchmark,
];
