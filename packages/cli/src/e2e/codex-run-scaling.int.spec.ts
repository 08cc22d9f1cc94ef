import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSink, type CliIo } from '../cli-io';
import { runManagedTeam } from '../commands/run';
import { readyWorkScaling, type ScalingPolicy } from '../runtime/scaling-policy';
import type { LiveCounter } from '../runtime/supervisor';
import { codexLauncherPath } from '../testing/codex-exec';
import { createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { processesMatching, scriptedWorker, shell } from '../testing/runtime-run';

// The cap under churn: `codex-team run` (in this process, so a test can swap its slot accounting)
// with real codex exec workers, while a killer SIGKILLs workers mid-task and the runtime starts
// replacements. A sampler reads the process table every 20 ms and counts live workers (process
// groups): never more than --max-workers. The same check catches a runtime whose slot accounting
// counts only joined workers: it launches again while its workers are still starting.

jest.setTimeout(120_000);

const MAX_WORKERS = 2;
const SIX_INDEPENDENT = `tasks:\n${[1, 2, 3, 4, 5, 6].map((n) => `  - {title: Task ${n}}`).join('\n')}\n`;

/** Deliberately broken: a worker counts only once it has joined, so workers still starting hold no slot. */
const countJoinedOnly: LiveCounter = (workers, state) =>
  workers.filter((worker) => worker.process?.alive() === true && state.snapshot.agents.find((agent) => agent.id === worker.agentId)?.state === 'active').length;

interface Churn {
  exitCode: number;
  maxLive: number;
  kills: number;
  samples: number;
  /** At the first sample over the cap: the processes seen, and what the runtime had done by then. */
  overCap: string | null;
}

/** The process group of a pid, from /proc (0 once it is gone). */
function groupOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[2]);
  } catch {
    return 0;
  }
}

function describeProcesses(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ');
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return `pid ${pid} ppid ${stat[3]} pgid ${stat[4]} state ${stat[2]} ${args.slice(0, 3).join(' ')} ... ${/You are ([\w-]+)/.exec(args.join(' '))?.[1] ?? ''}`;
      } catch {
        return `pid ${pid} (gone)`;
      }
    })
    .join('\n');
}

/** The CLI's surroundings for an in-process run in a test env: its HOME and Codex home, JSON output kept. */
function inProcessIo(env: CodexTeamEnv, signal: AbortSignal): CliIo {
  return {
    stdout: new BufferSink(),
    stderr: new BufferSink(),
    env: { HOME: env.homeDir, PATH: process.env['PATH'], CODEX_HOME: env.codexHome, LANG: 'C.UTF-8' },
    homeDir: env.homeDir,
    cwd: env.workspace,
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    signal,
    stdoutIsTerminal: false,
  };
}

async function churn(env: CodexTeamEnv, countLive: LiveCounter | undefined, stopWhenOver: boolean): Promise<Churn> {
  const dag = join(env.root, 'dag.yaml');
  writeFileSync(dag, SIX_INDEPENDENT);
  const abort = new AbortController();
  const io = inProcessIo(env, abort.signal);
  // One worker is one process group (the runtime starts each as a group leader); a launcher that
  // is forking its native codex shows twice in the table for a moment, so groups are counted.
  const live = (): number[] => [...new Set(processesMatching(codexLauncherPath(), env.workspace).map(groupOf))].filter((pgid) => pgid > 0);
  let maxLive = 0;
  let samples = 0;
  let overCap: string | null = null;
  const sampler = setInterval(() => {
    const pids = live(); // process groups
    samples += 1;
    maxLive = Math.max(maxLive, pids.length);
    if (pids.length > MAX_WORKERS && overCap === null) overCap = `${describeProcesses(processesMatching(codexLauncherPath(), env.workspace))}\n${(io.stdout as BufferSink).text()}`;
    if (stopWhenOver && pids.length > MAX_WORKERS) abort.abort();
  }, 20);
  let kills = 0;
  const killer = setInterval(() => {
    const pids = live();
    const victim = pids[Math.floor(Math.random() * pids.length)];
    if (kills >= 3 || victim === undefined) return;
    kills += 1;
    try {
      process.kill(-victim, 'SIGKILL');
    } catch {
      // It ended on its own first.
    }
  }, 1_300);
  const giveUp = setTimeout(() => abort.abort(), 60_000);
  try {
    const values = {
      dag,
      'max-workers': String(MAX_WORKERS),
      profile: 'deep',
      db: env.dbPath,
      codex: codexLauncherPath(),
      'codex-home': env.codexHome,
      json: true,
    };
    const exitCode = await runManagedTeam(values, ['Churn'], io, countLive === undefined ? {} : { countLive });
    return { exitCode, maxLive, kills, samples, overCap };
  } finally {
    clearInterval(sampler);
    clearInterval(killer);
    clearTimeout(giveUp);
  }
}

describe('codex-team run under churn (real codex exec workers)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  const scripted = () =>
    createCodexTeamEnv((info) =>
      scriptedWorker(info, function* () {
        yield shell('sleep 1.5');
      }),
    );

  it('never has more live workers than --max-workers while workers start and die concurrently', async () => {
    env = await scripted();
    const result = await churn(env, undefined, false);
    process.stderr.write(`cap under churn: ${JSON.stringify({ ...result, overCap: undefined })}\n`);
    if (result.overCap !== null) process.stderr.write(`over the cap:\n${result.overCap}\n`);
    expect(result.exitCode).toBe(0);
    expect(result.kills).toBeGreaterThan(0);
    expect(result.maxLive).toBe(MAX_WORKERS);
  });

  it('catches a runtime that counts only joined workers (deliberately broken variant)', async () => {
    env = await scripted();
    const result = await churn(env, countJoinedOnly, true);
    process.stderr.write(`broken slot accounting under churn: ${JSON.stringify({ ...result, overCap: undefined })}\n`);
    expect(result.maxLive).toBeGreaterThan(MAX_WORKERS);
  });
});

describe('codex-team run retiring idle workers (real codex exec workers)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('stops and retires the idle worker the scaling policy names, with its rule and reason', async () => {
    // Workers that linger instead of ending their turn; the shipped policy with an idle timeout of 0.
    env = await createCodexTeamEnv((info) =>
      scriptedWorker(
        info,
        function* (task) {
          if (task.title === 'Long task') yield shell('sleep 3');
        },
        100,
      ),
    );
    const dag = join(env.root, 'dag.yaml');
    writeFileSync(dag, 'tasks:\n  - {title: Quick task}\n  - {title: Long task}\n');
    const impatient: ScalingPolicy = (input) => readyWorkScaling({ ...input, profile: { ...input.profile, idle: { ...input.profile.idle, agent_timeout_ms: 0 } } });
    const io = inProcessIo(env, new AbortController().signal);
    const values = { dag, db: env.dbPath, codex: codexLauncherPath(), 'codex-home': env.codexHome, json: true };
    expect(await runManagedTeam(values, ['Retire the idle'], io, { scaling: impatient })).toBe(0);
    const lines = (io.stdout as BufferSink).text().trim().split('\n').map((line) => JSON.parse(line) as { event?: { kind: string; rule?: string; detail: string; agent?: string } });
    const stops = lines.flatMap((line) => (line.event?.kind === 'stop' ? [line.event] : []));
    expect(stops.length).toBeGreaterThan(0);
    for (const stop of stops) expect(stop).toMatchObject({ rule: 'scaling.retire.idle_timeout' });
    const retired = lines.flatMap((line) => (line.event?.kind === 'retire' && line.event.agent === stops[0]?.agent ? [line.event] : []));
    expect(retired).toEqual([expect.objectContaining({ rule: 'scaling.retire.idle_timeout' })]);
    expect(retired[0]?.detail).toMatch(/^idle \d+ ms with no implementer work ready/);
  });
});
