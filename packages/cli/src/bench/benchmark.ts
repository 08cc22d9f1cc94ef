/** One figure a benchmark measured, with its unit (`ms`, `pairs/s`, `ratio`...). */
export interface BenchMeasurement {
  name: string;
  value: number;
  unit: string;
}

/** How a goal compares its measured figure with the target. */
export type BenchComparator = 'at_least' | 'at_most';

/** A performance goal and whether this run met it. */
export interface BenchGoal {
  name: string;
  measured: number;
  comparator: BenchComparator;
  target: number;
  unit: string;
  met: boolean;
}

/** What one benchmark reports: every figure it measured and the goals it checked in the same run. */
export interface BenchReport {
  benchmark: string;
  measurements: BenchMeasurement[];
  goals: BenchGoal[];
}

/** What a benchmark may use while it runs. */
export interface BenchContext {
  /** Fewer repetitions, for a smoke run (CI); figures are noisier. */
  quick: boolean;
  /** A fresh temporary directory owned by this benchmark (store files, scripts). */
  workDir: string;
  /** Progress lines for the operator; not part of the report. */
  progress(line: string): void;
  /**
   * Another codex-team-mcp to measure the same way, beside this one (`--baseline-server`): the
   * bin.js of another build, e.g. an older commit's. Benchmarks that compare builds use it.
   */
  baselineServer?: string;
  /** The environment `codex-team bench` runs in (e.g. a benchmark's database URL). */
  env: Readonly<Record<string, string | undefined>>;
}

/** One `codex-team bench` benchmark; bench/index.ts lists them. */
export interface Benchmark {
  name: string;
  /** One line for `codex-team bench --help`. */
  summary: string;
  /**
   * An environment variable the benchmark cannot run without (a server it is pointed at). Unset,
   * a run of every benchmark leaves it out with a note, and naming it with --only is refused.
   */
  requiresEnv?: { name: string; /** What the variable must hold, for the refusal. */ meaning: string };
  run(context: BenchContext): Promise<BenchReport>;
}

/** A goal whose `met` is computed from the comparator, so no report can claim a goal it missed. */
export function benchGoal(
  name: string,
  measured: number,
  comparator: BenchComparator,
  target: number,
  unit: string,
): BenchGoal {
  const met = comparator === 'at_least' ? measured >= target : measured <= target;
  return { name, measured, comparator, target, unit, met };
}

/** The value at quantile `q` (0..1) of the samples, nearest-rank; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of the samples. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}
