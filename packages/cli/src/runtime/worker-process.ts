import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { tomlString } from '../codex/config-block';

/** How a worker's process ended: its exit code or the signal that ended it. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When the runtime saw it end (ms of the runtime's clock). */
  at: number;
}

/** The Codex side of every worker: which `codex`, which MCP server entry, which sandbox. */
export interface CodexWorkerSettings {
  /** The `codex` command (a path or a name on PATH). @default 'codex' */
  codexCommand: string;
  /** The MCP server key the workers' Codex uses; the model sees `mcp__<name>`. @default 'team' */
  serverName: string;
  /** The Node binary that runs codex-team-mcp. */
  nodePath: string;
  /** codex-team-mcp's entry script and its arguments (the store, lease, sweep...). */
  serverArgs: readonly string[];
  /** Codex's `--sandbox` for workers. @default 'workspace-write' */
  sandbox: string;
  /** The environment codex runs with (CODEX_HOME, HOME, PATH...). */
  env: Readonly<Record<string, string | undefined>>;
}

/** One `codex exec` to start: its prompt, where it works and where its output goes. */
export interface WorkerLaunch {
  prompt: string;
  cwd: string;
  /** stdout and stderr of the process are appended here. */
  logPath: string;
}

/** A launched `codex exec` in a process group of its own. */
export interface WorkerProcess {
  pid: number;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<WorkerExit>;
  /** Whether it has not exited yet. */
  alive(): boolean;
  /** Sends `signal` to the whole group (codex, its MCP servers, its commands). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts workers; the runtime's only way to make processes, so tests can watch or replace it. */
export interface WorkerLauncher {
  launch(launch: WorkerLaunch): WorkerProcess;
}

/** `-c key=value` overrides that point the worker's Codex at this runtime's own codex-team-mcp. */
export function serverOverrides(settings: CodexWorkerSettings): string[] {
  const key = `mcp_servers.${settings.serverName}`;
  const args = `[${settings.serverArgs.map((arg) => tomlString(arg)).join(', ')}]`;
  return [
    `${key}.command=${tomlString(settings.nodePath)}`,
    `${key}.args=${args}`,
    `${key}.startup_timeout_sec=30`,
    `${key}.tool_timeout_sec=120`,
    `${key}.default_tools_approval_mode="approve"`,
    `${key}.required=true`,
    'approval_policy="never"',
  ].flatMap((override) => ['-c', override]);
}

/** The argv after `codex` for one worker. */
export function codexExecArgs(settings: CodexWorkerSettings, launch: WorkerLaunch): string[] {
  return ['exec', '--skip-git-repo-check', '--sandbox', settings.sandbox, '--cd', launch.cwd, ...serverOverrides(settings), launch.prompt];
}

/**
 * Launches real `codex exec` processes. Each is the leader of its own process group (so Ctrl-C in
 * the terminal reaches the runtime only, and stopping a worker ends its MCP server and commands
 * too); stdin is closed, so codex reads no prompt from it.
 */
export class CodexExecLauncher implements WorkerLauncher {
  constructor(private readonly settings: CodexWorkerSettings) {}

  launch(launch: WorkerLaunch): WorkerProcess {
    mkdirSync(dirname(launch.logPath), { recursive: true });
    // The log file itself, not a pipe through the runtime: a worker outlives a runtime that was
    // killed (a resumed runtime adopts it) and must not die writing to a closed pipe.
    const log = openSync(launch.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.settings.codexCommand, codexExecArgs(this.settings, launch), {
        cwd: launch.cwd,
        env: { ...this.settings.env, NO_COLOR: '1' },
        detached: true,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    let done = false;
    const exited = new Promise<WorkerExit>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        resolve({ code, signal, at: Date.now() });
      };
      child.once('exit', finish);
      // A command that cannot start (ENOENT) is an exit too: the runtime retires the worker.
      child.once('error', (error) => {
        const fd = openSync(launch.logPath, 'a');
        writeSync(fd, `codex-team run: could not start ${this.settings.codexCommand}: ${error.message}\n`);
        closeSync(fd);
        finish(127, null);
      });
    });
    const pid = child.pid ?? -1;
    return {
      pid,
      exited,
      alive: () => !done,
      signal: (signal) => {
        if (pid <= 0) return;
        try {
          process.kill(-pid, signal);
        } catch {
          // The group is gone already.
        }
      },
    };
  }
}
