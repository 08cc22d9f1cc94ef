import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TaskNextOutputSchema, TeamJoinOutputSchema } from '@codex-team/contracts';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import type { RebalanceDecision } from '@codex-team/scheduler';
import { BufferSink, type CliIo } from '../cli-io';
import { runManagedTeam } from '../commands/run';
import type { LiveCounter } from '../runtime/supervisor';
import { codexLauncherPath } from '../testing/codex-exec';
import { createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { ticketIn } from '../testing/program-helpers';
import { auditOfTeam, processesMatching, scriptedWorker, shell, tasksOfTeam } from '../testing/runtime-run';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../testing/scripted-responses';

// The cap under churn: `codex-team run` (in this process, so a test can swap its slot accounting)
// with real codex exec workers, while a killer SIGKILLs workers mid-task and the runtime starts
// replacements. A sampler reads the process table every 20 ms and counts live workers (process
// groups): never more than --max-workers. The same check catches a runtime whose slot accounting
// counts only joined workers: it launches again while its workers are still starting.

jest.setTimeout(120_000);

const MAX_WORKERS = 2;
// Estimated at 10 minutes each: the rebalancing controller staffs every ready task (a busy worker
// would start the next one far later than a new one), so it keeps asking for more than
// --max-workers and replacements keep starting while workers die.
const SIX_INDEPENDENT = `tasks:\n${[1, 2, 3, 4, 5, 6].map((n) => `  - {title: Task ${n}, estimate_min: 10}`).join('\n')}\n`;

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

/**
 * The deep profile (a wide team, 5 attempts a task, so 3 kills never fail a task) without its quality
 * gate on low-risk work: these workers have no reviewer to approve their tasks, and this test is
 * about slots, not reviews.
 */
function churnProfilesDir(env: CodexTeamEnv): string {
  const dir = join(env.root, 'profiles');
  mkdirSync(dir, { recursive: true });
  const deep = readFileSync(join(findBuiltinProfilesDir(__dirname), 'deep.yaml'), 'utf8');
  const churn = deep
    .replace(/^name: deep$/m, 'name: churn')
    .replace(/^ {2}low: .*$/m, '  low:    { required_reviews: 0, require_evidence: false, require_tests: false }');
  writeFileSync(join(dir, 'churn.yaml'), churn);
  return dir;
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
      profile: 'churn',
      'profiles-dir': churnProfilesDir(env),
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

/**
 * A worker that joins, does its tasks, and once it finds no ready work sits in a long command
 * (idle, holding its slot, asking nothing): only the runtime can end it before its command does.
 */
function* idleSitter(info: ThreadInfo, longTaskCmd: string): AgentProgram {
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
  for (;;) {
    const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
    if (next.claim === null) break;
    if (next.claim.task.title === 'Long task') yield shell(longTaskCmd);
    yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: `done by ${joined.agent.name}` });
  }
  yield shell('sleep 20');
  return `${joined.agent.name}: sat idle`;
}

describe('codex-team run retiring idle workers (real codex exec workers)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it("ends the idle worker the rebalancing controller retires, with the directive's rule, while the rest of the team works on", async () => {
    env = await createCodexTeamEnv((info) => idleSitter(info, 'sleep 6'));
    const dag = join(env.root, 'dag.yaml');
    writeFileSync(dag, 'tasks:\n  - {title: Quick task}\n  - {title: Long task}\n');
    const io = inProcessIo(env, new AbortController().signal);
    // No hysteresis: an idle surplus is retired by the first decision that finds it.
    const values = { dag, db: env.dbPath, codex: codexLauncherPath(), 'codex-home': env.codexHome, 'retire-after-ms': '0', json: true };
    expect(await runManagedTeam(values, ['Retire the idle'], io, {})).toBe(0);
    const lines = (io.stdout as BufferSink).text().trim().split('\n').map((line) => JSON.parse(line) as { event?: { kind: string; rule?: string; detail: string; agent?: string } });
    const events = lines.flatMap((line) => (line.event === undefined ? [] : [line.event]));
    // The worker of the quick task sat idle first: the controller retired it and the runtime ended
    // it; the other one likewise once the long task was done. No other reason ended a worker.
    const stops = events.filter((event) => event.kind === 'stop');
    expect(stops.length).toBeGreaterThan(0);
    for (const stop of stops) expect(stop).toMatchObject({ rule: 'rebalance.retire.surplus_idle' });
    const idle = stops[0]?.agent ?? '';
    expect(events.filter((event) => event.kind === 'exit' && event.agent === idle)).toEqual([expect.objectContaining({ rule: 'rebalance.retire.surplus_idle' })]);
    expect(events.some((event) => event.kind === 'decision' && event.rule === 'rebalance.retire.surplus_idle' && event.detail.startsWith(`retire ${idle} `))).toBe(true);

    const outcome = lines.at(-1) as unknown as { outcome: { teamId: string; retiredByPolicy: number } };
    expect(outcome.outcome.retiredByPolicy).toBe(stops.length);
    const audit = await auditOfTeam(env, outcome.outcome.teamId);
    const agentId = audit.find((event) => event.action === 'agent.join' && (event.data['agent'] as { name?: string }).name === idle)?.actor_agent_id;
    // The decision on record named it first; its retirement carries the directive's rule; and it was
    // ended while the long task was still running (its own command would have run 20 s more).
    const decided = audit.find((event) => event.action === 'rebalance.decide' && (event.data['decision'] as RebalanceDecision).retire.some((r) => r.agent_id === agentId));
    const retired = audit.find((event) => event.action === 'agent.retire' && event.subject_id === agentId);
    expect(retired?.reason).toMatch(/^rebalance\.retire\.surplus_idle: /);
    expect(decided?.seq ?? Infinity).toBeLessThan(retired?.seq ?? 0);
    const long = (await tasksOfTeam(env, outcome.outcome.teamId)).find((task) => task.title === 'Long task');
    const longDone = audit.find((event) => event.action === 'task.complete' && event.subject_id === long?.id);
    expect(retired?.seq ?? Infinity).toBeLessThan(longDone?.seq ?? 0);
  });
});
