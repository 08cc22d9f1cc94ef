import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent, Task } from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import {
  auditOfTeam,
  isPlanner,
  scriptedPlanner,
  scriptedWorker,
  shell,
  startRun,
  tasksOfTeam,
  type RunHandle,
} from '../testing/runtime-run';

// `codex-team run` with real `codex exec` 0.171 workers (each its own Codex thread and its own
// codex-team-mcp) against a scripted model on loopback: the runtime plans, launches, watches,
// replaces and retires them, and holds no state outside the store.

jest.setTimeout(120_000);

/** A 6-task DAG: a, then b c d in parallel, e after b and c, f after d and e. */
const SIX_TASKS = [
  { key: 'a', title: 'Design the module' },
  { key: 'b', title: 'Build the parser', depends_on: ['a'] },
  { key: 'c', title: 'Build the printer', depends_on: ['a'] },
  { key: 'd', title: 'Write the docs', depends_on: ['a'] },
  { key: 'e', title: 'Wire parser and printer', depends_on: ['b', 'c'] },
  { key: 'f', title: 'Release it', depends_on: ['d', 'e'] },
];

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
    env = await createCodexTeamEnv((info) =>
      isPlanner(info) ? scriptedPlanner(info, SIX_TASKS) : scriptedWorker(info, function* () {
        yield shell('sleep 0.3');
      }),
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
    expect(outcome.maxLive).toBeLessThanOrEqual(3);
    // One planner session, then workers; the planner's agent is retired once it ended.
    expect(run.events.filter((event) => event.kind === 'plan')).toHaveLength(1);
    expect(events.filter((event) => event.action === 'team.finalize')).toHaveLength(1);
    expect(String(run.outcome()?.['report'])).toMatch(/\.html$/);
    process.stderr.write(`run of 6 tasks with 3 workers: ${wallMs} ms wall, ${outcome.launched} codex exec sessions\n`);
  });
});
