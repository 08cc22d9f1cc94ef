import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TaskNextOutputSchema, TeamJoinOutputSchema, type AuditEvent, type ClaimedTask, type Task } from '@codex-team/contracts';
import type { RuntimeEvent } from '../runtime/supervisor';
import { codexLauncherPath } from './codex-exec';
import { builtCliBin, type CodexTeamEnv } from './codex-team-env';
import { ticketIn } from './program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo, type ToolCall, type ToolResult } from './scripted-responses';

/** One event line `codex-team run --json` printed: a runtime event, its time as ISO text. */
export type RunEventLine = Omit<RuntimeEvent, 'at'> & { at: string };

/** A `codex-team run --json` process under test. */
export interface RunHandle {
  child: ChildProcess;
  events: RunEventLine[];
  /** The outcome line's JSON, once the run printed it. */
  outcome(): Record<string, unknown> | undefined;
  /** Everything the run printed on stdout (text mode: its log lines and summary). */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first event matching, waiting up to `timeoutMs`. */
  waitFor(match: (event: RunEventLine) => boolean, timeoutMs?: number): Promise<RunEventLine>;
}

/**
 * Starts the built `codex-team run ARGS` (`--json` unless asked for text) against a test env: its store, its Codex home
 * (the scripted model), the real `codex` launcher of @openai/codex, and a minimal environment.
 */
export function startRun(env: CodexTeamEnv, args: readonly string[], options: { json?: boolean } = {}): RunHandle {
  const json = options.json ?? true;
  const child = spawn(
    process.execPath,
    [builtCliBin(), 'run', ...args, '--db', env.dbPath, '--codex', codexLauncherPath(), '--codex-home', env.codexHome, ...(json ? ['--json'] : [])],
    {
      cwd: env.workspace,
      env: { HOME: env.homeDir, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, LANG: 'C.UTF-8', CODEX_HOME: env.codexHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: RunEventLine[] = [];
  let outcome: Record<string, unknown> | undefined;
  let stderr = '';
  let stdout = '';
  let buffered = '';
  const waiters: { match: (event: RunEventLine) => boolean; resolve: (event: RunEventLine) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!json) return;
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as { event?: RunEventLine; outcome?: Record<string, unknown> };
      if (parsed.outcome !== undefined) outcome = parsed as Record<string, unknown>;
      if (parsed.event === undefined) continue;
      events.push(parsed.event);
      for (const waiter of [...waiters]) {
        if (!waiter.match(parsed.event)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed.event);
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    events,
    outcome: () => outcome,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (match, timeoutMs = 60_000) => {
      const seen = events.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching run event within ${timeoutMs} ms; events: ${JSON.stringify(events.slice(-20))}; stderr: ${stderr.slice(-2_000)}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
  };
}

/** Whether a thread is one of the runtime's planners (by its prompt). */
export function isPlanner(info: ThreadInfo): boolean {
  return info.userTexts.join('\n').includes('the planner of the codex-team team');
}

/** The worker's name from its prompt (`You are implementer-3 (role implementer)`). */
export function workerNameOf(info: ThreadInfo): string {
  return /You are ([\w-]+)/.exec(info.userTexts.join('\n'))?.[1] ?? 'unknown';
}

/** A scripted planner: joins with its ticket and answers with the DAG through team_task_create. */
export function* scriptedPlanner(info: ThreadInfo, tasks: readonly Record<string, unknown>[]): AgentProgram {
  yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) });
  yield mcpCall('team_task_create', { tasks });
  return `planned ${tasks.length} tasks`;
}

/** What a scripted worker does with each task it holds, between its claim and its completion. */
export type WorkStep = (task: ClaimedTask, fence: number) => Generator<ToolCall, void, unknown>;

/**
 * A scripted worker as the runtime's prompt asks: join, then take ready work until none is left,
 * and end its turn. `work` yields the calls of each task (e.g. a shell command that takes time).
 */
export function* scriptedWorker(info: ThreadInfo, work: WorkStep = function* () {}, lingerPolls = 0): AgentProgram {
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
  let done = 0;
  let idlePolls = 0;
  for (;;) {
    const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
    // A lingering worker (unlike the prompt asks) keeps asking for work before it ends: idle.
    if (next.claim === null && idlePolls < lingerPolls) {
      idlePolls += 1;
      yield shell('sleep 0.1');
      continue;
    }
    if (next.claim === null) break;
    yield* work(next.claim.task, next.claim.fence);
    yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: `${next.claim.task.title}: done by ${joined.agent.name}` });
    done += 1;
  }
  return `${joined.agent.name}: ${done} task(s) done, no more work`;
}

/** A shell command through Codex's own exec tool (Codex 0.171: `exec_command {cmd}`). */
export function shell(cmd: string): ToolCall {
  return { name: 'exec_command', args: { cmd } };
}

/** Every audit event of every team in the env's store. */
export async function auditOfTeam(env: CodexTeamEnv, teamId: string): Promise<AuditEvent[]> {
  const store = await env.openStore();
  try {
    return await store.listAuditEvents(teamId as AuditEvent['team_id'], { limit: 10_000 });
  } finally {
    await store.close();
  }
}

/** The tasks of a team, read as an operator. */
export async function tasksOfTeam(env: CodexTeamEnv, teamId: string): Promise<Task[]> {
  const store = await env.openStore();
  try {
    return (await store.readTeam(teamId as Task['team_id'])).tasks;
  } finally {
    await store.close();
  }
}

/** The pids of live processes whose command line contains every needle (zombies excluded), from /proc. */
export function processesMatching(...needles: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (needles.every((needle) => cmdline.includes(needle))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * A scripted worktree worker as the runtime's prompt asks: join, claim the task its prompt names
 * (team_task_next {task_id}), run `work` in its worktree, complete with what `work` returned, end its turn.
 */
export function* scriptedWorktreeWorker(info: ThreadInfo, work: (task: ClaimedTask) => Generator<ToolCall, string, ToolResult>): AgentProgram {
  const text = info.userTexts.join('\n');
  yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) });
  const taskId = /"task_id": "([^"]+)"/.exec(text)?.[1];
  const claim = TaskNextOutputSchema.parse((yield mcpCall('team_task_next', { task_id: taskId })).json).claim;
  if (claim === null) throw new Error(`team_task_next {task_id: ${taskId ?? '?'}} claimed nothing`);
  const result = yield* work(claim.task);
  yield mcpCall('team_task_complete', { task_id: claim.task.id, fence: claim.fence, result: result.slice(0, 2_000) || 'done' });
  return `${workerNameOf(info)}: ${claim.task.title} done`;
}
