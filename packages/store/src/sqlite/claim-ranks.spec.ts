import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { RandomIdGenerator } from '@codex-team/contracts';
import { FakeClock } from '@codex-team/contracts/testing';
import { DEFAULT_DURATION_PRIOR_MS, claimRanks, learnDurations, selectNextTask, type DurationSample } from '@codex-team/scheduler';
import { claimPermission, complete } from '../conformance/harness.conformance';
import { openSqliteTeamStore } from '../sqlite-team-store';
import type { Actor, TeamStore } from '../team-store';

// Two stores on one file stand for two server processes: each keeps its own claim ranks between
// claims, and must see the DAG changes the other makes (dag_versions, moved by triggers).

const dir = mkdtempSync(join(tmpdir(), 'codex-team-claim-ranks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROLES = [null, 'implementer', 'reviewer'] as const;
const newTask = fc.record({
  priority: fc.integer({ min: 0, max: 3 }),
  role: fc.constantFrom(...ROLES),
  /** Dependencies: picks among the tasks made before and those before it in its batch. */
  deps: fc.array(fc.nat(), { maxLength: 3 }),
  estimate: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
});
const step = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), tasks: fc.array(newTask, { minLength: 1, maxLength: 4 }), via: fc.integer({ min: 0, max: 1 }) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      via: fc.integer({ min: 0, max: 1 }),
      takes: fc.integer({ min: 0, max: 40 }),
      outcome: fc.constantFrom('done', 'done', 'done', 'failed', 'release'),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('priority' as const), at: fc.nat(), priority: fc.integer({ min: 0, max: 3 }), via: fc.integer({ min: 0, max: 1 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), at: fc.nat(), via: fc.integer({ min: 0, max: 1 }) }), weight: 1 },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

const DAG_TRIGGERS = ['tasks_dag_insert', 'tasks_dag_change', 'task_dependencies_dag_insert', 'task_dependencies_dag_delete'];

let files = 0;

/**
 * Plays `steps` on a fresh file through two stores and answers the first claim that differs from
 * what the scheduler picks from the team as it is (selectNextTask over claimRanks, durations
 * learned from the completions the run made), or null when every claim matched.
 */
async function play(steps: readonly Step[], options: { withoutVersionTriggers?: boolean } = {}): Promise<string | null> {
  files += 1;
  const path = join(dir, `ranks-${files}.db`);
  const clock = new FakeClock();
  const open = () => openSqliteTeamStore({ path, clock, ids: new RandomIdGenerator() });
  if (options.withoutVersionTriggers === true) {
    await (await open()).close();
    const raw = new Database(path);
    for (const trigger of DAG_TRIGGERS) raw.exec(`DROP TRIGGER ${trigger}`);
    raw.close();
  }
  const stores: TeamStore[] = [await open(), await open()];
  const [first, second] = stores as [TeamStore, TeamStore];
  try {
    const bound = await first.createTeam({ name: 'ranks', objective: '', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r-lead' });
    const lead: Actor = { teamId: bound.team.id, agentId: bound.agent.id };
    await first.spawnAgent(lead, { name: 'mate', role: 'implementer', joinTicketHash: 'j-mate' });
    const mate: Actor = { teamId: bound.team.id, agentId: (await second.joinAgent({ joinTicketHash: 'j-mate', resumeTicketHash: 'r-mate' })).agent.id };
    const permission = claimPermission(['own_role', 'unassigned']);
    const samples: DurationSample[] = [];
    const ids: string[] = [];
    let made = 0;
    for (const each of steps) {
      const store = stores[each.via] as TeamStore;
      if (each.kind === 'create') {
        const keys = each.tasks.map(() => `k${(made += 1)}`);
        // A task may wait on any task made before but a failed or cancelled one (CONFLICT).
        const dead = new Set((await first.readTeam(lead.teamId)).tasks.filter((task) => task.status === 'failed' || task.status === 'cancelled').map((task) => task.id));
        const live = ids.filter((id) => !dead.has(id));
        const created = await store.createTasks(lead, {
          tasks: each.tasks.map((task, index) => ({
            key: keys[index] as string,
            title: keys[index] as string,
            description: '',
            priority: task.priority,
            ...(task.role === null ? {} : { required_role: task.role }),
            ...(task.estimate === undefined ? {} : { estimate_min: task.estimate }),
            depends_on: [...new Set(task.deps.map((dep) => [...live, ...keys.slice(0, index)][dep % (live.length + index)]).filter((dep): dep is string => dep !== undefined))],
          })),
        });
        ids.push(...created.tasks.map((task) => task.id));
      } else if (each.kind === 'claim') {
        const tasks = (await first.readTeam(lead.teamId)).tasks.map((task) => ({ ...task, estimate_ms: task.estimate_min === undefined ? null : task.estimate_min * 60_000 }));
        const expected = selectNextTask(tasks, 'implementer', claimRanks(tasks, learnDurations(samples, DEFAULT_DURATION_PRIOR_MS)))?.id ?? null;
        const next = await store.claimNextTask(mate, { leaseMs: 3_600_000, permission });
        if ((next.claim?.task.id ?? null) !== expected) return `claim ${samples.length}: store took ${next.claim?.task.id ?? 'nothing'}, scheduler picks ${expected ?? 'nothing'}`;
        if (next.claim === null) continue;
        const { task, fence } = next.claim;
        clock.advance(each.takes * 60_000);
        if (each.outcome === 'release') {
          await store.releaseTask(mate, { task_id: task.id, fence, reason: 'the suite lets it go' });
        } else {
          await store.completeTask(mate, complete(task.id, fence, { outcome: each.outcome }));
          if (each.outcome === 'done') samples.push({ required_role: task.required_role, duration_ms: each.takes * 60_000 });
        }
      } else {
        const open = (await first.readTeam(lead.teamId)).tasks.filter((task) => task.status === 'blocked' || task.status === 'ready');
        const task = open[each.at % Math.max(1, open.length)];
        if (task === undefined) continue;
        await store.updateTask(lead, each.kind === 'priority' ? { task_id: task.id, priority: each.priority } : { task_id: task.id, cancel: true }, { leaseMs: 60_000 });
      }
    }
    return null;
  } finally {
    for (const store of stores) await store.close();
  }
}

describe('claim ranks kept between claims', () => {
  const runs = fc.array(step, { minLength: 4, maxLength: 30 });

  it('claim what the scheduler picks from the team as it is now, while two processes add tasks, finish, fail, release, cancel and re-prioritise', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (steps) => {
        expect(await play(steps)).toBeNull();
      }),
      { numRuns: 60, seed: 16 },
    );
  });

  it('is caught when the DAG version does not move: a process keeps ranks that no longer match the DAG', async () => {
    const broken = await fc.check(
      fc.asyncProperty(runs, async (steps) => (await play(steps, { withoutVersionTriggers: true })) === null),
      { numRuns: 60, seed: 16, endOnFailure: true },
    );
    expect(broken.failed).toBe(true);
  });
});
