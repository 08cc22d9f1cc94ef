import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { CommandResult, HookCommand, HookCommandRunner } from '@codex-team/hooks';

/** What a hook may write on stdout and on stderr; the rest is dropped (the digest covers what was kept). */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** After the hook itself exited, how long its streams may stay open before the result is taken. */
const CLOSE_GRACE_MS = 1_000;

export interface ProcessHookRunnerOptions {
  /** Monotonic milliseconds for durations. @default performance.now */
  now?: () => number;
  /** The hooks' environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default MAX_OUTPUT_BYTES */
  maxOutputBytes?: number;
}

/** Kills a whole process group; a group already gone is not an error. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Collects a stream up to `max` bytes. */
function collect(stream: NodeJS.ReadableStream | null, max: number): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (size >= max) return;
    const kept = chunk.subarray(0, max - size);
    chunks.push(kept);
    size += kept.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs command hooks as processes: `/bin/sh -c COMMAND` as the leader of its own process group
 * (detached), the event JSON on stdin, stdout and stderr collected (64 KiB each). At the timeout the
 * whole group is killed with SIGKILL, so a hook's children die with it; when the hook exits by
 * itself, whatever it left running in its group is killed too. Spawning is asynchronous: the server
 * keeps answering other calls while a hook runs. Never rejects.
 */
export class ProcessHookRunner implements HookCommandRunner {
  private readonly now: () => number;
  private readonly live = new Set<ChildProcess>();

  constructor(private readonly options: ProcessHookRunnerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
  }

  run(command: HookCommand): Promise<CommandResult> {
    const started = this.now();
    const max = this.options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', command.command], {
          cwd: command.cwd,
          env: this.options.env ?? process.env,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
      } catch (error) {
        resolve({ exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, spawnError: String(error), durationMs: this.now() - started });
        return;
      }
      this.live.add(child);
      const stdout = collect(child.stdout, max);
      const stderr = collect(child.stderr, max);
      let timedOut = false;
      let exit: { code: number | null; signal: string | null } | null = null;
      let spawnError: string | null = null;
      let settled = false;
      let grace: NodeJS.Timeout | null = null;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (grace !== null) clearTimeout(grace);
        this.live.delete(child);
        resolve({
          exitCode: timedOut ? null : (exit?.code ?? null),
          signal: exit?.signal ?? null,
          stdout: stdout(),
          stderr: stderr(),
          timedOut,
          spawnError,
          durationMs: this.now() - started,
        });
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, command.timeoutMs);
      child.on('error', (error) => {
        spawnError = error.message;
        finish();
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        // Children the hook left behind (it forked and exited) die with their group.
        killGroup(child.pid);
        grace = setTimeout(finish, CLOSE_GRACE_MS);
      });
      child.on('close', finish);
      // A hook that never reads stdin closes the pipe early: EPIPE is no failure of ours.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(command.stdin);
    });
  }

  /** Kills every hook still running (the server is shutting down). */
  stop(): void {
    for (const child of this.live) killGroup(child.pid);
  }
}
