import { TeamError, type HookEventName } from '@codex-team/contracts';
import { redactSecrets } from '@codex-team/policy-engine';

/** Why a command hook failed: it could not start, ran out of time, died, exited oddly or answered garbage. */
export type HookFailure = 'spawn' | 'timeout' | 'signal' | 'exit' | 'bad-output';

/**
 * What one hook said about one event: its verdict with everything its audit row carries. A
 * failure is already turned into a verdict by the hook's `on_failure` (and never blocks a Post event).
 */
export interface HookRun {
  /** The hook's id: `<source>:<name>` for a command hook, `builtin:<rule>` for a built-in gate. */
  hook: string;
  kind: 'command' | 'builtin';
  decision: 'allow' | 'block';
  /** Why it blocked, failed or what it checked; secrets masked. */
  reason: string;
  failure: HookFailure | null;
  /** What the hook asked to tell the agent besides its verdict; secrets masked. */
  additionalContext: string | null;
  durationMs: number;
  /** The exit code, or the signal that ended it (`SIGKILL`); null for a built-in or a hook that never started. */
  exitStatus: number | string | null;
  /** sha256 of what the hook wrote (stdout, a NUL, stderr); null for a built-in. */
  outputSha256: string | null;
}

/** The combined answer of every hook of one event. */
export interface HookOutcome {
  event: HookEventName;
  decision: 'allow' | 'block';
  /** The blocking hooks' reasons, by hook id; empty when allowed. */
  reason: string;
  /** Every run, sorted by hook id. */
  runs: HookRun[];
}

const byHook = (a: HookRun, b: HookRun): number => (a.hook < b.hook ? -1 : a.hook > b.hook ? 1 : 0);

/**
 * Combines the runs of one event: any block blocks (deny beats allow), no hooks or only allows
 * allow. The answer does not depend on the order the runs finished or were listed in: runs and
 * reasons are sorted by hook id.
 */
export function combineHookRuns(event: HookEventName, runs: readonly HookRun[]): HookOutcome {
  const sorted = [...runs].sort(byHook);
  const blocking = sorted.filter((run) => run.decision === 'block');
  return {
    event,
    decision: blocking.length > 0 ? 'block' : 'allow',
    reason: blocking
      .map((run) => (run.additionalContext === null ? `${run.hook}: ${run.reason}` : `${run.hook}: ${run.reason} (${run.additionalContext})`))
      .join('; '),
    runs: sorted,
  };
}

/** Text from a hook, as stored and shown: secrets masked, whitespace trimmed, at most `max` characters. */
export function maskedText(text: string, max = 1_000): string {
  const masked = redactSecrets(text.trim()).text;
  return masked.length > max ? `${masked.slice(0, max)}...` : masked;
}

/** A run as its audit row and the decision log carry it (snake_case, no prose but the reason). */
export function auditedRun(run: HookRun): Record<string, unknown> {
  return {
    hook: run.hook,
    kind: run.kind,
    decision: run.decision,
    reason: run.reason,
    failure: run.failure,
    duration_ms: run.durationMs,
    exit_status: run.exitStatus,
    output_sha256: run.outputSha256,
  };
}

/** The rule a block is recorded under: the first blocking hook, by id (`hook:builtin:quality.medium.require_tests`). */
export function blockRule(outcome: HookOutcome): string {
  return `hook:${outcome.runs.find((run) => run.decision === 'block')?.hook ?? 'none'}`;
}

/**
 * The one error a blocked call is answered with, whoever blocked it (a command hook before the
 * operation, a built-in gate inside it): HOOK_BLOCKED, the blocking hooks' reasons as the message,
 * and the block as typed refusal data (kind `hook`) for the call's decision record.
 */
export function hookBlockError(outcome: HookOutcome, taskId: string | null = null): TeamError {
  const blocking = outcome.runs.filter((run) => run.decision === 'block');
  return new TeamError(
    'HOOK_BLOCKED',
    `${outcome.event} blocked: ${outcome.reason}`,
    { event: outcome.event, hooks: blocking.map((run) => run.hook), ...(taskId === null ? {} : { task_id: taskId }) },
    {
      kind: 'hook',
      rule: blockRule(outcome),
      inputs: { event: outcome.event, runs: outcome.runs.map(auditedRun) },
      matched: blocking.map((run) => `hook:${run.hook}`),
    },
  );
}
