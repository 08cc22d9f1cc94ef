import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEvent, ClaimedTask, Task } from '@codex-team/contracts';
import { builtCliBin, createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { answerOnly } from '../testing/scripted-responses';
import {
  auditOfTeam,
  isPlanner,
  scriptedPlanner,
  scriptedWorker,
  shell,
  processesMatching,
  workerNameOf,
  startRun,
  tasksOfTeam,
  type RunHandle,
} from '../testing/runtime-run';

// `codex-team run` with real `codex exec` 0.171 workers (each its own Codex thread and its own
// codex-team-mcp) against a scripted model on loopback: the runtime plans, launches, watches,
// replaces and retires them, and holds no state outside the store.

jest.setTimeout(120_000);

/**
 * A 6-task DAG: a, then b c d in parallel, e after b and c, f after d and e. The planner sizes b,
 * c and d at 10 minutes each, so once a is done the rebalancing controller staffs all three: a
 * worker busy with one would start the next far later than a new one.
 */
const SIX_TASKS = [
  { key: 'a', title: 'Design the module' },
  { key: 'b', title: 'Build the parser', depends_on: ['a'], estimate_min: 10 },
  { key: 'c', title: 'Build the printer', depends_on: ['a'], estimate_min: 10 },
  { key: 'd', title: 'Write the docs', depends_on: ['a'], estimate_min: 10 },
  { key: 'e', title: 'Wire parser and printer', depends_on: ['b', 'c'] },
  { key: 'f', title: 'Release it', depends_on: ['d', 'e'] },
];

/** What each scripted response reports when a test needs a realistic burn on its compressed clock. */
const SMALL_USAGE = { input_tokens: 100, cached_input_tokens: 0, output_tokens: 10 } as const;

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Every task completed exactly once, and claimed only after each of its dependencies completed. */
function expectDoneOnceInDependencyOrder(tasks: readonly Task[], events: readonly AuditEvent[]): void {
  expect(tasks.map((task) => task.status)).toEqual(tasks.map(() => 'done'));
  const completes = events.filter((event) => event.action === 'task.complete');
  expect(countBy(completes, (event) => event.subject_id ?? '')).toEqual(new Map(tasks.map((task) => [task.id, 1])));
  const completedAt = new Map(completes.map((event) => [event.subject_id, event.seq]));
  for (const task of tasks) {
    const claims = events.filter((event) => event.action === 'task.claim' && event.subject_id === task.id);
    for (const dep of task.depends_on) for (const claim of claims) expect(claim.seq).toBeGreaterThan(completedAt.get(dep) ?? Infinity);
  }
}

/** Polls until `check` holds (every 50 ms, up to `timeoutMs`). */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A DAG file in the env: a long task and a short one, and a last task after both. */
function writeDag(env: CodexTeamEnv, yaml: string): string {
  const path = join(env.root, 'dag.yaml');
  writeFileSync(path, yaml);
  return path;
}

const LONG_DAG = ['tasks:', '  - {key: long, title: Long task}', '  - {key: short, title: Short task}', '  - {key: last, title: Last task, depends_on: [long, short]}', ''].join('\n');

/** The worker's scripted work: the first claim of "Long task" runs long (the victim), the rest briefly. */
function victimWork(seen: { victim?: string }, info: Parameters<typeof workerNameOf>[0], longCmd: string) {
  return function* (task: ClaimedTask, fence: number) {
    if (task.title === 'Long task' && fence === 1) {
      seen.victim = workerNameOf(info);
      yield shell(longCmd);
      return;
    }
    yield shell('sleep 0.2');
  };
}

/** Live `codex exec` processes (launcher and native codex) of the runtime's workers in the env. */
function codexProcessesOf(env: CodexTeamEnv | undefined): number[] {
  return env === undefined ? [] : processesMatching('--skip-git-repo-check', env.workspace);
}

async function teamOfStore(env: CodexTeamEnv): Promise<string> {
  const store = await env.openStore();
  try {
    const [team] = await store.listTeams();
    if (team === undefined) throw new Error('no team in the store');
    return team.id;
  } finally {
    await store.close();
  }
}

function teamIdOf(run: RunHandle): string {
  const outcome = run.outcome()?.['outcome'] as { teamId?: string } | undefined;
  if (outcome?.teamId === undefined) throw new Error(`the run printed no outcome; stderr: ${run.stderr().slice(-3_000)}`);
  return outcome.teamId;
}

describe('codex-team run (real codex exec workers, scripted model)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('plans with one planner session and runs a 6-task DAG with 3 workers: every task done once, in dependency order', async () => {
    // The scripted model answers in milliseconds a turn a real model takes many seconds for, so the
    // tokens it counts burn ~100x faster per agent-minute than a real team's, and the controller's
    // budget-burn rule (rightly) keeps such a team at one worker. Each response reports a small
    // usage instead: a real model's burn on the test's compressed clock.
    env = await createCodexTeamEnv(
      (info) =>
        isPlanner(info) ? scriptedPlanner(info, SIX_TASKS) : scriptedWorker(info, function* () {
          yield shell('sleep 0.3');
        }),
      { usage: () => SMALL_USAGE },
    );
    const started = Date.now();
    const run = startRun(env, ['Ship a tiny module', '--teammates', '3']);
    const { code } = await run.exited;
    const wallMs = Date.now() - started;
    if (code !== 0) process.stderr.write(`run failed:\n${run.stderr()}\n${JSON.stringify(run.events, null, 1)}\n`);
    expect(env.responses.errors).toEqual([]);
    expect(code).toBe(0);
    const teamId = teamIdOf(run);
    const tasks = await tasksOfTeam(env, teamId);
    const events = await auditOfTeam(env, teamId);
    expect(tasks).toHaveLength(6);
    expectDoneOnceInDependencyOrder(tasks, events);
    const outcome = run.outcome()?.['outcome'] as { status: string; maxLive: number; launched: number };
    expect(outcome.status).toBe('done');
    // Three workers at once, launched for the controller's spawn directives, never a fourth.
    expect(outcome.maxLive).toBe(3);
    const spawns = run.events.filter((event) => event.kind === 'decision' && event.rule === 'rebalance.spawn.waiting_work');
    expect(spawns.some((event) => /^spawn [23] implementer /.test(event.detail))).toBe(true);
    // One planner session, then workers; the planner's agent is retired once it ended.
    expect(run.events.filter((event) => event.kind === 'plan')).toHaveLength(1);
    expect(events.filter((event) => event.action === 'team.finalize')).toHaveLength(1);
    expect(String(run.outcome()?.['report'])).toMatch(/\.html$/);
    process.stderr.write(`run of 6 tasks with 3 workers: ${wallMs} ms wall, ${outcome.launched} codex exec sessions\n`);
  });

  it('takes a worker SIGKILLed mid-task as a disconnect at once: its task is back within 1 s + the sweep interval and done by a replacement, never twice', async () => {
    const seen: { victim?: string } = {};
    env = await createCodexTeamEnv((info) => scriptedWorker(info, victimWork(seen, info, 'sleep 8')));
    const sweepMs = 1_000;
    const run = startRun(env, ['Survive a kill', '--dag', writeDag(env, LONG_DAG), '--sweep-ms', String(sweepMs)]);
    await until(() => seen.victim !== undefined, 'the victim to start its long task');
    const launch = await run.waitFor((event) => event.kind === 'launch' && event.agent === seen.victim);
    await sleep(300);
    const killedAt = Date.now();
    process.kill(-(launch.pid ?? 0), 'SIGKILL');
    const { code } = await run.exited;
    if (code !== 0) process.stderr.write(`run failed:\n${run.stderr()}\n${JSON.stringify(run.events, null, 1)}\n`);
    expect(code).toBe(0);
    expect(env.responses.errors).toEqual([]);
    const teamId = teamIdOf(run);
    const tasks = await tasksOfTeam(env, teamId);
    const events = await auditOfTeam(env, teamId);
    expectDoneOnceInDependencyOrder(tasks, events);
    const long = tasks.find((task) => task.title === 'Long task');
    const victimId = events.find((event) => event.action === 'agent.join' && (event.data['agent'] as { name?: string }).name === seen.victim)?.actor_agent_id;
    // Claimed twice (fence 2), finished by another agent; the victim was retired for its exit.
    expect(long).toMatchObject({ fence: 2, status: 'done' });
    expect(long?.owner_agent_id).not.toBe(victimId);
    const retire = events.find((event) => event.action === 'agent.retire' && event.subject_id === victimId);
    expect(retire?.reason).toMatch(/^runtime\.worker_exited: .*ended by SIGKILL/);
    const recover = events.find((event) => event.action === 'task.recover' && event.subject_id === long?.id);
    expect(recover?.reason).toContain('agent.gone');
    expect(recover?.seq ?? 0).toBeGreaterThan(retire?.seq ?? Infinity);
    // At once, not after a lease (60 s) or a grace period (15 s): within 1 s plus one sweep interval.
    const killToReclaimMs = Date.parse(recover?.at ?? '') - killedAt;
    expect(killToReclaimMs).toBeLessThan(1_000 + sweepMs);
    const reported = (run.outcome()?.['outcome'] as { reclaims: { exitToReclaimMs: number }[] }).reclaims;
    process.stderr.write(`kill-to-reclaim: ${killToReclaimMs} ms measured from the kill to the task.recover event (runtime: exit seen to reclaim ${reported.map((r) => r.exitToReclaimMs).join(', ')} ms; sweep interval ${sweepMs} ms)\n`);
  });

  it('stops a hung worker (SIGSTOP) once its lease passed and hands its task to a replacement', async () => {
    const seen: { victim?: string } = {};
    env = await createCodexTeamEnv((info) => scriptedWorker(info, victimWork(seen, info, 'sleep 30')));
    const run = startRun(env, ['Survive a hang', '--dag', writeDag(env, LONG_DAG), '--lease-ms', '2000', '--sweep-ms', '500']);
    await until(() => seen.victim !== undefined, 'the victim to start its long task');
    const launch = await run.waitFor((event) => event.kind === 'launch' && event.agent === seen.victim);
    const stoppedAt = Date.now();
    process.kill(-(launch.pid ?? 0), 'SIGSTOP');
    const hung = await run.waitFor((event) => event.kind === 'stop' && event.agent === seen.victim);
    const { code } = await run.exited;
    if (code !== 0) process.stderr.write(`run failed:\n${run.stderr()}\n${JSON.stringify(run.events, null, 1)}\n`);
    expect(code).toBe(0);
    expect(hung.rule).toBe('runtime.worker_hung');
    expect(hung.detail).toContain('(SIGTERM)');
    // Not before its lease passed: a silent worker is only hung once it broke its lease.
    expect(Date.parse(hung.at) - stoppedAt).toBeGreaterThanOrEqual(2_000 - 500);
    const teamId = teamIdOf(run);
    const tasks = await tasksOfTeam(env, teamId);
    const events = await auditOfTeam(env, teamId);
    expectDoneOnceInDependencyOrder(tasks, events);
    expect(tasks.find((task) => task.title === 'Long task')).toMatchObject({ fence: 2, status: 'done' });
    expect(events.some((event) => event.action === 'task.recover' && event.reason.includes('lease.expired'))).toBe(true);
    expect((run.outcome()?.['outcome'] as { hungStops: number }).hungStops).toBe(1);
    await until(() => codexProcessesOf(env).length === 0, 'no codex process of the hung worker left', 5_000);
    process.stderr.write(`hung worker stopped ${Date.parse(hung.at) - stoppedAt} ms after SIGSTOP (lease 2000 ms, sweep 500 ms)\n`);
  });

  it('is picked up by run --resume after the runtime itself was SIGKILLed: the live worker is adopted and the team finishes', async () => {
    const seen: { victim?: string } = {};
    env = await createCodexTeamEnv((info) => scriptedWorker(info, victimWork(seen, info, 'sleep 3')));
    const first = startRun(env, ['Survive the runtime', '--dag', writeDag(env, LONG_DAG)]);
    await until(() => seen.victim !== undefined, 'the victim to start its long task');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const teamId = await teamOfStore(env);
    const second = startRun(env, ['--resume', teamId]);
    const { code } = await second.exited;
    if (code !== 0) process.stderr.write(`resume failed:\n${second.stderr()}\n${JSON.stringify(second.events, null, 1)}\n`);
    expect(code).toBe(0);
    expect(env.responses.errors).toEqual([]);
    expect(second.events.some((event) => event.kind === 'adopt' && event.agent === seen.victim)).toBe(true);
    const tasks = await tasksOfTeam(env, teamId);
    const events = await auditOfTeam(env, teamId);
    expectDoneOnceInDependencyOrder(tasks, events);
    // The long task was never taken from its worker: the runtime's death is not the worker's.
    expect(tasks.find((task) => task.title === 'Long task')).toMatchObject({ fence: 1, status: 'done' });
    // The lead's seat: started once, reissued by the operator, resumed by the second runtime.
    const leadEvents = events.filter((event) => ['team.start', 'agent.reissue', 'agent.resume'].includes(event.action)).map((event) => event.action);
    expect(leadEvents).toEqual(['team.start', 'agent.reissue', 'agent.resume']);
    expect(events.filter((event) => event.action === 'team.finalize')).toHaveLength(1);
    // Every change of both runtimes is in the audit trail: a replay rebuilds the store's state.
    const replay = spawnSync(process.execPath, [builtCliBin(), 'replay', teamId, '--verify', '--db', env.dbPath], { encoding: 'utf8' });
    expect(replay.stderr).toBe('');
    expect(replay.status).toBe(0);
  });

  it('stops every worker on Ctrl-C and records why; the team stays for --resume', async () => {
    const busy = new Set<string>();
    env = await createCodexTeamEnv((info) =>
      scriptedWorker(info, function* () {
        busy.add(workerNameOf(info));
        yield shell('sleep 30');
      }),
    );
    const dag = writeDag(env, ['tasks:', '  - {title: First long task}', '  - {title: Second long task}', ''].join('\n'));
    const run = startRun(env, ['Be interrupted', '--dag', dag]);
    await until(() => busy.size === 2, 'two workers busy');
    const interruptedAt = Date.now();
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    const stopMs = Date.now() - interruptedAt;
    expect(code).toBe(130);
    const teamId = await teamOfStore(env);
    const events = await auditOfTeam(env, teamId);
    const retires = events.filter((event) => event.action === 'agent.retire');
    expect(retires).toHaveLength(2);
    for (const retire of retires) expect(retire.reason).toMatch(/^runtime\.interrupted: codex-team run was interrupted \(SIGINT\)/);
    // Their tasks are back in the pool and the team is still active, for a resume.
    expect((await tasksOfTeam(env, teamId)).map((task) => task.status)).toEqual(['ready', 'ready']);
    expect(events.some((event) => event.action === 'team.finalize')).toBe(false);
    expect((run.outcome()?.['outcome'] as { status: string }).status).toBe('interrupted');
    await until(() => codexProcessesOf(env).length === 0, 'no codex process of a worker left', 5_000);
    process.stderr.write(`Ctrl-C: every worker stopped and retired in ${stopMs} ms\n`);
  });

  it('gives up, exit 1, when worker sessions keep ending without claiming a task', async () => {
    env = await createCodexTeamEnv(() => answerOnly('I cannot work today'));
    const dag = writeDag(env, ['tasks:', '  - {title: Never started}', ''].join('\n'));
    // In text, as a CI log shows it: one line per runtime event, then the summary.
    const run = startRun(env, ['Find nobody', '--dag', dag, '--max-workers', '1'], { json: false });
    const { code } = await run.exited;
    expect(code).toBe(1);
    const text = run.stdout();
    expect(text.match(/^ +[\d.]+ s {2}launch +implementer-\d started \(pid \d+, agent ag_\w+\)$/gm)).toHaveLength(3);
    expect(text.match(/^ +[\d.]+ s {2}retire +implementer-\d: its codex exec exited with code 0$/gm)).toHaveLength(3);
    expect(text).toMatch(/^ +[\d.]+ s {2}progress done 0\/1 /m);
    expect(text).toMatch(/^run summary: team tm_\w+ incomplete in [\d.]+ s: 3 worker sessions in a row ended without claiming a task \(see their logs in .*runs/m);
    expect(text).toMatch(/^ {2}workers: 3 codex exec session\(s\) started/m);
    expect(text).toMatch(/^report: .*\.html$/m);
    expect(text).toMatch(/^resume it: {2}codex-team run --resume tm_\w+ --db /m);
  });
});
