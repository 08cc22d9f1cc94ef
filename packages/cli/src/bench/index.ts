import { authorizationBenchmark } from './authorization';
import type { Benchmark } from './benchmark';
import { checkpointReplayBenchmark } from './checkpoint-replay';
import { claimCostBenchmark } from './claim-cost';
import { claimThroughputBenchmark } from './claim-throughput';
import { orchestrationBytesBenchmark } from './orchestration-bytes';
import { resumeCostBenchmark } from './resume-cost';
import { schedulingBenchmark } from './scheduling';
import { hooksBenchmark } from './hooks';
import { httpRoundTripBenchmark } from './http-round-trip';
import { pgClaimsBenchmark } from './pg-claims';
import { pgStoreBenchmark } from './pg-store';
import { redactionBenchmark } from './redaction';
import { startupBenchmark } from './startup';
import { statusScaleBenchmark } from './status-scale';
import { toolSurfaceBenchmark } from './tool-surface';

/**
 * Every `codex-team bench` benchmark, in the order they run. To add one, write
 * `bench/<name>.ts` exporting a `Benchmark` and list it here.
 */
export const BENCHMARKS: readonly Benchmark[] = [
  startupBenchmark,
  httpRoundTripBenchmark,
  authorizationBenchmark,
  claimThroughputBenchmark,
  claimCostBenchmark,
  statusScaleBenchmark,
  schedulingBenchmark,
  toolSurfaceBenchmark,
  orchestrationBytesBenchmark,
  resumeCostBenchmark,
  checkpointReplayBenchmark,
  hooksBenchmark,
  redactionBenchmark,
  pgClaimsBenchmark,
  pgStoreBenchmark,
];
