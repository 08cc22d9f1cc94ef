import { createHash } from 'node:crypto';
import { HookAnswerSchema, type HookPhase } from '@codex-team/contracts';
import { maskedText, type HookFailure, type HookRun } from './hook-run';
import type { RegisteredHook } from './registry';

/** One command to run for a hook: what the injected runner gets. */
export interface HookCommand {
  command: string;
  /** The directory it runs in (the hooks file's, else the server's). */
  cwd: string;
  /** The event as one JSON document, written to stdin and then closed. */
  stdin: string;
  /** At this age the command's whole process group is killed. */
  timeoutMs: number;
}

/** What running a command gave, as the runner observed it. */
export interface CommandResult {
  /** null when it did not exit by itself (a signal, a timeout, never started). */
  exitCode: number | null;
  /** The signal that ended it (`SIGKILL` after a timeout), or null. */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Why it could not be started, or null. */
  spawnError: string | null;
  durationMs: number;
}

/**
 * The port behind which command hooks run: spawn in its own process group, JSON on stdin, kill the
 * group at the timeout. The hooks package never starts a process itself (mcp-server implements it).
 */
export interface HookCommandRunner {
  run(command: HookCommand): Promise<CommandResult>;
}

const firstLine = (text: string): string => maskedText(text.split('\n').find((line) => line.trim() !== '') ?? '', 300);

type Verdict = { decision: 'allow' } | { decision: 'block'; reason: string } | { decision: 'fail'; failure: HookFailure; reason: string };

/** The contract: exit 0 allows (or answers JSON), exit 2 blocks with stderr, anything else fails. */
function verdictOf(result: CommandResult, timeoutMs: number): Verdict & { context?: string } {
  if (result.spawnError !== null) return { decision: 'fail', failure: 'spawn', reason: `could not start: ${maskedText(result.spawnError, 300)}` };
  if (result.timedOut) {
    return { decision: 'fail', failure: 'timeout', reason: `timed out after ${timeoutMs / 1000} s; its process group was killed` };
  }
  if (result.exitCode === null) return { decision: 'fail', failure: 'signal', reason: `killed by ${result.signal ?? 'a signal'}` };
  if (result.exitCode === 2) {
    const reason = maskedText(result.stderr);
    return { decision: 'block', reason: reason === '' ? 'blocked (exit 2) without a reason on stderr' : reason };
  }
  if (result.exitCode !== 0) {
    const said = firstLine(result.stderr);
    return { decision: 'fail', failure: 'exit', reason: `exited with status ${result.exitCode}${said === '' ? '' : `: ${said}`}` };
  }
  const stdout = result.stdout.trim();
  if (stdout === '') return { decision: 'allow' };
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    answer = undefined;
  }
  const parsed = HookAnswerSchema.safeParse(answer);
  if (!parsed.success || typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    return {
      decision: 'fail',
      failure: 'bad-output',
      reason: `exit 0 with stdout that is neither empty nor the JSON answer {decision, reason, additional_context}: ${maskedText(stdout, 120)}`,
    };
  }
  const { decision, reason, additional_context: context } = parsed.data;
  const extra = context === undefined || context.trim() === '' ? {} : { context: maskedText(context) };
  if (decision === 'block' || decision === 'deny') {
    const said = maskedText(reason ?? '');
    return { decision: 'block', reason: said === '' ? 'blocked without a reason' : said, ...extra };
  }
  return { decision: 'allow', ...extra };
}

function digestOf(result: CommandResult): string {
  return createHash('sha256').update(result.stdout).update('\0').update(result.stderr).digest('hex');
}

/**
 * The run of one command hook: its verdict by the contract, a failure turned into a block or an
 * allow by `on_failure` in a Pre event (a Post event is never blocked), and the facts its audit row
 * keeps (duration, exit status, digest of the output). Pure.
 */
export function commandHookRun(hook: RegisteredHook, phase: HookPhase, result: CommandResult): HookRun {
  const verdict = verdictOf(result, hook.timeoutMs);
  const base = {
    hook: hook.id,
    kind: 'command' as const,
    additionalContext: verdict.context ?? null,
    durationMs: result.durationMs,
    exitStatus: result.exitCode ?? result.signal,
    outputSha256: digestOf(result),
  };
  if (verdict.decision === 'allow') return { ...base, decision: 'allow', reason: 'allowed', failure: null };
  if (verdict.decision === 'block') {
    if (phase === 'post') return { ...base, decision: 'allow', reason: `asked to block a Post event, which never blocks: ${verdict.reason}`, failure: null };
    return { ...base, decision: 'block', reason: verdict.reason, failure: null };
  }
  const blocks = phase === 'pre' && hook.onFailure === 'block';
  const outcome = phase === 'post' ? 'a Post event is never blocked' : blocks ? 'fails closed (on_failure: block)' : 'let through (on_failure: allow)';
  return { ...base, decision: blocks ? 'block' : 'allow', reason: `hook failed: ${verdict.reason}; ${outcome}`, failure: verdict.failure };
}
