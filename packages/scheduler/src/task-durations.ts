import { TeamError } from '@codex-team/contracts';
import { ANY_ROLE } from '@codex-team/policy-engine';

/** How long one finished task took: from its claim to its completion. */
export interface DurationSample {
  /** The task's required role; null for a task that names none. */
  required_role: string | null;
  duration_ms: number;
}

/** Expected task durations, learned from finished tasks. */
export interface DurationModel {
  /** Mean duration of finished tasks by required role (ANY_ROLE for tasks naming none), with the sample count. */
  by_role: Record<string, { mean_ms: number; samples: number }>;
  /** Mean over every finished task; null before any finished. */
  overall_ms: number | null;
  /** The guess used before any task has finished. */
  prior_ms: number;
}

/** The key a task's duration is learned under: its required role, or ANY_ROLE. */
export function durationKey(requiredRole: string | null): string {
  return requiredRole ?? ANY_ROLE;
}

/** The durations of finished tasks of one key (a required role, or ANY_ROLE) added up. */
export interface DurationTotal {
  key: string;
  samples: number;
  total_ms: number;
}

/**
 * Expected durations from finished tasks: the mean per required role, the mean over all, and
 * `priorMs` for the time before any task has finished. Pure. Throws TeamError `INVALID_INPUT` on a
 * negative or non-finite duration or prior.
 */
export function learnDurations(samples: readonly DurationSample[], priorMs: number): DurationModel {
  const sums = new Map<string, DurationTotal>();
  for (const sample of samples) {
    if (!Number.isFinite(sample.duration_ms) || sample.duration_ms < 0) {
      throw new TeamError('INVALID_INPUT', `task duration must be a non-negative number of ms, got ${sample.duration_ms}`);
    }
    const key = durationKey(sample.required_role);
    const sum = sums.get(key) ?? { key, samples: 0, total_ms: 0 };
    sum.total_ms += sample.duration_ms;
    sum.samples += 1;
    sums.set(key, sum);
  }
  return durationsFromTotals([...sums.values()], priorMs);
}

/**
 * The same model from durations already added up by key (a store keeps these totals as tasks
 * finish, so it never reads every finished task). Throws TeamError `INVALID_INPUT` on a bad total
 * or prior.
 */
export function durationsFromTotals(totals: readonly DurationTotal[], priorMs: number): DurationModel {
  if (!Number.isFinite(priorMs) || priorMs <= 0) throw new TeamError('INVALID_INPUT', `prior duration must be a positive number of ms, got ${priorMs}`);
  const by_role: DurationModel['by_role'] = {};
  let total = 0;
  let samples = 0;
  for (const sum of [...totals].filter((t) => t.samples > 0).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (!Number.isFinite(sum.total_ms) || sum.total_ms < 0 || !Number.isInteger(sum.samples)) {
      throw new TeamError('INVALID_INPUT', `durations of ${sum.key} must add up to a non-negative number of ms, got ${sum.total_ms}`);
    }
    by_role[sum.key] = { mean_ms: sum.total_ms / sum.samples, samples: sum.samples };
    total += sum.total_ms;
    samples += sum.samples;
  }
  return { by_role, overall_ms: samples === 0 ? null : total / samples, prior_ms: priorMs };
}

/** The expected duration of a task of `requiredRole`: its role's mean, else the overall mean, else the prior. */
export function expectedDurationMs(model: DurationModel, requiredRole: string | null): number {
  return model.by_role[durationKey(requiredRole)]?.mean_ms ?? model.overall_ms ?? model.prior_ms;
}

/**
 * The expected duration of a task before any task has finished and when it carries no estimate:
 * ten minutes. Only its ratio to task estimates matters to claim order (before anything finished,
 * every task without an estimate weighs it).
 */
export const DEFAULT_DURATION_PRIOR_MS = 600_000;

/** A task that may carry its own size estimate (ms); null or absent: none. */
export interface EstimatedTask {
  required_role: string | null;
  estimate_ms?: number | null;
}

/** A task's expected duration: its own estimate when it has one, else its role's (expectedDurationMs). */
export function taskEstimateMs(task: EstimatedTask, model: DurationModel): number {
  return task.estimate_ms ?? expectedDurationMs(model, task.required_role);
}
