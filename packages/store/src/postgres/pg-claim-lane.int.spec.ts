import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from 'pg';
import { TeamError, toBase32, type IdGenerator } from '@codex-team/contracts';
import type { Actor } from '../team-store';
import type { SqliteTeamStore } from '../sqlite-team-store';
import { PgScratch, type ScratchDatabase } from '../testing/pg-scratch-database';
import { connectPostgres } from './pg-driver';
import { withPgScratchSchema } from './pg-scratch-schema';
import { openPostgresTeamStore } from './pg-team-store';
import {
  PG_AGENT_LOCK_CLASS,
  PG_COMMIT_ORDER_CLASS,
  PG_TREE_LOCK_CLASS,
  PG_WRITE_LOCK_KEY,
  advisoryLockKey,
  type PgClaimLane,
} from './pg-transaction';

// The claim lane on a real throwaway cluster: a team's claims run side by side (their tree's lock
// shared, each holding the task it chose with FOR UPDATE SKIP LOCKED), one per agent, excluding
// every other write of the tree, and commit in the order of their audit events' seqs. An outside
// session (or process) holds what a claim in flight holds; each lock is shown beside the variant
// without it (PgClaimLane).

jest.setTimeout(120_000);

const IN_FLIGHT = join(__dirname, '..', 'fixtures', 'pg-claim-in-flight.cjs');
const clock = { now: () => Date.now() };
const ids: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

let pg: PgScratch;
let database: ScratchDatabase;

beforeAll(async () => {
  pg = await PgScratch.start();
  database = await pg.database();
});
afterAll(async () => {
  await database.drop();
  await pg.release();
});

interface Team {
  store: SqliteTeamStore;
  lead: Actor;
  workers: [Actor, Actor];
  /** Ready tasks in claim order (priorities 3, 2, 1). */
  tasks: string[];
  schema: string;
  /** An outside session on the team's schema, for the locks a claim in flight holds. */
  outside: Client;
}

/**
 * A team of a lead and two workers with three ready tasks, on a fresh schema, its store giving up
 * on a lock after `lockSliceMs` and on a call after 1.5 s (BUSY), so a claim that waits shows as BUSY.
 */
async function withTeam(lane: PgClaimLane, work: (team: Team) => Promise<void>, lockSliceMs = 200): Promise<void> {
  await withPgScratchSchema(database.url, 'lane', async (schema) => {
    const store = await openPostgresTeamStore({ url: database.url, schema, clock, ids, claimLane: lane, lockSliceMs, busyRetry: { deadlineMs: 1_500 } });
    const outside = await connectPostgres(database.url, schema);
    try {
      const bound = await store.createTeam({ name: 'lane', objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: 'resume-lead' });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      const workers: Actor[] = [];
      for (const name of ['w1', 'w2']) {
        await store.spawnAgent(lead, { name, role: 'implementer', joinTicketHash: `join-${name}` });
        workers.push({ teamId: lead.teamId, agentId: (await store.joinAgent({ joinTicketHash: `join-${name}`, resumeTicketHash: `resume-${name}` })).agent.id });
      }
      const created = await store.createTasks(lead, {
        tasks: [3, 2, 1].map((priority) => ({ title: `p${priority}`, description: '', priority, depends_on: [] })),
      });
      await work({ store, lead, workers: workers as [Actor, Actor], tasks: created.tasks.map((task) => task.id), schema, outside });
    } finally {
      await outside.query('ROLLBACK').catch(() => undefined);
      await outside.end();
      await store.close();
    }
  });
}

/** The tree's lock, shared, as every claim in flight holds it (the team is its own root). */
function treeShared(team: Team): string {
  return `pg_advisory_xact_lock_shared(${PG_WRITE_LOCK_KEY}), pg_advisory_xact_lock_shared(${PG_TREE_LOCK_CLASS}, ${advisoryLockKey(team.lead.teamId)})`;
}

async function claimed(team: Team, worker: Actor): Promise<string | undefined> {
  return (await team.store.claimNextTask(worker, { leaseMs: 60_000 })).claim?.task.id;
}

/**
 * A claim in flight in a process of its own (pg-claim-in-flight.cjs): it runs `before`, then holds
 * what it took for `holdMs`, runs `after` and commits. Answers the rows of its last `before`
 * statement once it holds them, and its exit code (1 when the server refused it) once it is gone.
 */
async function claimInFlight(team: Team, holdMs: number, before: string[], after: string[] = []): Promise<{ rows: Record<string, unknown>[]; exited: Promise<number | null> }> {
  const child = fork(IN_FLIGHT, [database.url, team.schema, String(holdMs), JSON.stringify(before), JSON.stringify(after)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
    child.once('message', (message: { rows: Record<string, unknown>[] }) => resolve(message.rows));
    child.once('exit', (code) => reject(new TeamError('INTERNAL', `the claim in flight exited with ${String(code)} before it held what it takes`)));
  });
  return { rows, exited };
}

/** w2's claim in flight: the tree's lock shared, and the first task in claim order held. */
async function holdFirstTask(team: Team): Promise<void> {
  await team.outside.query('BEGIN');
  await team.outside.query(`SELECT ${treeShared(team)}`);
  await team.outside.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [team.tasks[0]]);
}

describe('PostgreSQL claim lane', () => {
  it('claims beside a claim in flight, passing over the task it holds for the next in claim order', async () => {
    await withTeam('side-by-side', async (team) => {
      await holdFirstTask(team);
      expect(await claimed(team, team.workers[0])).toBe(team.tasks[1]);
    });
  });

  it.each<[PgClaimLane, string]>([
    ['one-at-a-time', 'whose claims take the tree one at a time'],
    ['waiting-holds', 'whose hold waits for the claim in flight (no SKIP LOCKED)'],
  ])('catches the variant %s (%s): it waits for the claim in flight', async (lane) => {
    await withTeam(lane, async (team) => {
      await holdFirstTask(team);
      await expect(claimed(team, team.workers[0])).rejects.toMatchObject({ code: 'BUSY' });
    });
  });

  it('keeps every other write of the tree out while a claim is in flight', async () => {
    await withTeam('side-by-side', async (team) => {
      await team.outside.query('BEGIN');
      await team.outside.query(`SELECT ${treeShared(team)}`);
      const creating = team.store.createTasks(team.lead, { tasks: [{ title: 'later', description: '', priority: 0, depends_on: [] }] });
      await expect(creating).rejects.toMatchObject({ code: 'BUSY' });
      await team.outside.query('ROLLBACK');
      expect((await team.store.listTasks(team.lead, {})).tasks.map((task) => task.title)).toEqual(['p3', 'p2', 'p1']);
    });
  });

  /** Whether `first`'s claim waits while an outside session holds a claim in flight of that agent; `second` claims meanwhile. */
  async function claimBesideOwnClaim(team: Team): Promise<{ first: string; second: string | undefined }> {
    const [first, second] = team.workers;
    await team.outside.query('BEGIN');
    await team.outside.query(`SELECT ${treeShared(team)}, pg_advisory_xact_lock(${PG_AGENT_LOCK_CLASS}, ${advisoryLockKey(first.agentId)})`);
    const firstOutcome = await claimed(team, first).then(
      (task) => `claimed ${task ?? 'nothing'}`,
      (error: { code?: string }) => String(error.code),
    );
    return { first: firstOutcome, second: await claimed(team, second) };
  }

  it('runs one claim per agent at a time, and other agents\' claims beside it', async () => {
    await withTeam('side-by-side', async (team) => {
      expect(await claimBesideOwnClaim(team)).toEqual({ first: 'BUSY', second: team.tasks[0] });
    });
  });

  it('catches the variant without the agent\'s lock: a second claim of the same agent goes through', async () => {
    await withTeam('any-agent', async (team) => {
      expect(await claimBesideOwnClaim(team)).toEqual({ first: `claimed ${team.tasks[0] ?? ''}`, second: team.tasks[1] });
    });
  });

  /** A process holds every task (as picks do) for 300 ms and then ends without taking any; this store's claim answers meanwhile. */
  async function claimWhileEveryTaskIsHeld(team: Team): Promise<{ exit: number | null; claimed: string | null; reason: string | null }> {
    const ids = team.tasks.map((id) => `'${id}'`).join(', ');
    const { exited } = await claimInFlight(team, 300, [`SELECT ${treeShared(team)}`, `SELECT id FROM tasks WHERE id IN (${ids}) FOR UPDATE`]);
    const next = await team.store.claimNextTask(team.workers[0], { leaseMs: 60_000 });
    return { exit: await exited, claimed: next.claim?.task.id ?? null, reason: next.reason };
  }

  it('tries again, rather than answer "nothing to claim", while a claim in flight holds every task it may claim', async () => {
    await withTeam('side-by-side', async (team) => {
      expect(await claimWhileEveryTaskIsHeld(team)).toEqual({ exit: 0, claimed: team.tasks[0], reason: null });
    });
  });

  it('catches the variant that does not look for held tasks: it answers "nothing to claim" with three tasks ready', async () => {
    await withTeam('unlooked', async (team) => {
      expect(await claimWhileEveryTaskIsHeld(team)).toEqual({ exit: 0, claimed: null, reason: expect.stringMatching(/^no ready task for role implementer; 3 ready/) as string });
    });
  });

  /**
   * A process holds task X for its claim (as a claim's hold does), then, after `holdMs`, reaches its
   * first write (the commit-order lock) and commits; this store claims X by id meanwhile. Answers
   * the process's exit code (1 when the server broke a deadlock by refusing it) and the claim.
   */
  async function claimByIdBesideHold(team: Team): Promise<{ exit: number | null; claimed: string }> {
    const task = team.tasks[0] ?? '';
    const key = advisoryLockKey(team.lead.teamId);
    const { exited } = await claimInFlight(
      team,
      300,
      ["SET deadlock_timeout = '100ms'", `SELECT ${treeShared(team)}`, `SELECT id FROM tasks WHERE id = '${task}' FOR UPDATE`],
      [`SELECT pg_advisory_xact_lock(${PG_COMMIT_ORDER_CLASS}, ${key})`],
    );
    const claim = await team.store.claimTask(team.workers[0], { task_id: task }, { leaseMs: 60_000 });
    return { exit: await exited, claimed: claim.task.id };
  }

  it('claims by id a task another claim holds once that claim is done, neither waiting on the other', async () => {
    await withTeam('side-by-side', async (team) => {
      expect(await claimByIdBesideHold(team)).toEqual({ exit: 0, claimed: team.tasks[0] });
    }, 2_000);
  });

  it('catches the variant that writes before holding its task: the two claims deadlock', async () => {
    await withTeam('unheld', async (team) => {
      // The store's claim took the commit-order lock and waits for the task; the claim in flight
      // holds the task and waits for the commit-order lock: the server refuses it (deadlock).
      expect((await claimByIdBesideHold(team)).exit).toBe(1);
    }, 2_000);
  });

  /**
   * A process holds a claim in flight past its audit event (seq n) for `holdMs`; this store's claim
   * then runs. Answers the events a reader following the team by seq sees the moment the claim
   * returns, the claim's own event, and n.
   */
  async function claimBesideUncommittedEvent(team: Team, holdMs: number): Promise<{ visible: number[]; own: number; inFlight: number }> {
    const { rows, exited } = await claimInFlight(team, holdMs, [
      `SELECT ${treeShared(team)}, pg_advisory_xact_lock(${PG_COMMIT_ORDER_CLASS}, ${advisoryLockKey(team.lead.teamId)})`,
      `INSERT INTO audit_events (team_id, at, actor_agent_id, action, subject_id, decision, reason, data)
       VALUES ('${team.lead.teamId}', ${Date.now()}, '${team.workers[1].agentId}', 'task.progress', NULL, 'allow', 'a claim in flight', '{}') RETURNING seq`,
    ]);
    const inFlight = Number(rows[0]?.['seq']);
    await team.store.claimNextTask(team.workers[0], { leaseMs: 60_000 });
    const visible = (await team.outside.query<{ seq: string }>('SELECT seq FROM audit_events WHERE team_id = $1 ORDER BY seq', [team.lead.teamId])).rows.map((row) => Number(row.seq));
    expect(await exited).toBe(0);
    const own = (await team.store.listAuditEvents(team.lead.teamId, { afterSeq: 0, limit: 100 })).filter((event) => event.action === 'task.claim').map((event) => event.seq);
    return { visible, own: own[own.length - 1] ?? -1, inFlight };
  }

  it('commits a claim after the claim in flight whose event has a lower seq, so a reader by seq misses none', async () => {
    await withTeam('side-by-side', async (team) => {
      const { visible, own, inFlight } = await claimBesideUncommittedEvent(team, 700);
      expect(own).toBeGreaterThan(inFlight);
      // When the claim's event could be seen, the lower one in flight could be too.
      expect(visible).toEqual(expect.arrayContaining([inFlight, own]));
    });
  });

  it('catches the variant without the commit-order lock: its event is seen while a lower one is still to commit', async () => {
    await withTeam('unordered', async (team) => {
      const { visible, own, inFlight } = await claimBesideUncommittedEvent(team, 3_000);
      expect(own).toBeGreaterThan(inFlight);
      expect(visible).toContain(own);
      expect(visible).not.toContain(inFlight);
    });
  });
});
