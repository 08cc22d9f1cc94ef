import { setTimeout as sleep } from 'node:timers/promises';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import type { Actor, TeamStore } from '../team-store';
import { describeTeamStoreConformance } from '../team-store.conformance';
import { PgScratch, type ScratchDatabase } from '../testing/pg-scratch-database';
import { connectPostgres } from './pg-driver';
import { openPooledPostgresTeamStore } from './pg-store-pool';
import { withPgScratchSchema } from './pg-scratch-schema';
import { openPostgresTeamStore } from './pg-team-store';
import { PG_WRITE_LOCK_KEY } from './pg-transaction';
import { withinOneBusyDeadline } from '../sqlite/transaction';

// The unchanged store conformance suite against the pooled PostgreSQL store (three threads, each a
// store on its own connection; the suite's clock and ids read through the opener's thread), on a
// real throwaway cluster ($CODEX_TEAM_PG_URL, else one this suite starts). The threads run the
// built package (dist/postgres/pg-store-pool-worker.js): the integration target builds it first.

jest.setTimeout(180_000);

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

describeTeamStoreConformance('PostgreSQL, pooled over three threads', async (clock, ids, profiles, options): Promise<TeamStore> => {
  const schema = await database.schema();
  return openPooledPostgresTeamStore({ url: database.url, schema, threads: 3, clock, ids, profiles, time: 'clock', ...options });
});

/** Teams of one teammate each with one ready task, on `schema`: as many agents as `teams`. */
async function teammates(url: string, schema: string, teams: number): Promise<Actor[]> {
  const store = await openPostgresTeamStore({ url, schema, clock: systemClock, ids: new RandomIdGenerator() });
  try {
    const seats: Actor[] = [];
    for (let index = 0; index < teams; index += 1) {
      const bound = await store.createTeam({ name: `t${index}`, objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: `lead-${index}` });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      await store.spawnAgent(lead, { name: 'w', role: 'implementer', joinTicketHash: `join-${index}` });
      seats.push({ teamId: lead.teamId, agentId: (await store.joinAgent({ joinTicketHash: `join-${index}`, resumeTicketHash: `resume-${index}` })).agent.id });
      await store.createTasks(lead, { tasks: [{ title: 'only', description: '', priority: 0, depends_on: [] }] });
    }
    return seats;
  } finally {
    await store.close();
  }
}

/**
 * Four agents of four teams claim at once through one pooled store while an outside session holds
 * the database's write lock: how many of their claims wait in PostgreSQL at the same time (each
 * waiting claim is a backend waiting for that lock), and what each claimed once the lock is let go.
 */
async function claimsWaitingAtOnce(threads: number): Promise<{ waitingAtOnce: number; claimed: number }> {
  return withPgScratchSchema(database.url, 'pool_parallel', async (schema) => {
    const agents = await teammates(database.url, schema, 4);
    const store = await openPooledPostgresTeamStore({ url: database.url, schema, threads, lockSliceMs: 20_000 });
    const outside = await connectPostgres(database.url, schema);
    try {
      await outside.query(`SELECT pg_advisory_lock(${PG_WRITE_LOCK_KEY})`);
      const claims = agents.map((agent) => store.claimNextTask(agent, { leaseMs: 60_000 }));
      let waitingAtOnce = 0;
      for (let look = 0; look < 20; look += 1) {
        await sleep(50);
        const { rows } = await outside.query<{ waiting: string }>(
          `SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> pg_backend_pid()`,
        );
        waitingAtOnce = Math.max(waitingAtOnce, Number(rows[0]?.waiting ?? 0));
      }
      await outside.query(`SELECT pg_advisory_unlock(${PG_WRITE_LOCK_KEY})`);
      const claimed = (await Promise.all(claims)).filter((next) => next.claim !== null).length;
      return { waitingAtOnce, claimed };
    } finally {
      await outside.end();
      await store.close();
    }
  });
}

describe('a pooled store runs several agents\' calls at once', () => {
  it('with four threads, four claims wait for a held lock at the same time, and each claims its task once the lock goes', async () => {
    expect(await claimsWaitingAtOnce(4)).toEqual({ waitingAtOnce: 4, claimed: 4 });
  });

  it('is caught with one thread (the broken variant): the claims wait one after another', async () => {
    expect(await claimsWaitingAtOnce(1)).toEqual({ waitingAtOnce: 1, claimed: 4 });
  });
});

describe('a pooled store whose thread loses its connection', () => {
  it('fails only the call that found it out, logs it, and serves every later call on the other thread', async () => {
    await withPgScratchSchema(database.url, 'pool_lost', async (schema) => {
      const [agent] = await teammates(database.url, schema, 1);
      if (agent === undefined) throw new Error('no teammate');
      const logged: string[] = [];
      const outside = await connectPostgres(database.url, schema);
      const sessions = async (): Promise<number[]> =>
        (await outside.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((row) => row.pid);
      const before = await sessions();
      const store = await openPooledPostgresTeamStore({ url: database.url, schema, threads: 2, logger: { info: (_fields, message) => logged.push(message) } });
      try {
        // A call on each thread (they take calls in turn), so each has its connection up.
        await store.getStatus(agent);
        await store.getStatus(agent);
        // The sessions the pool opened (a connection per thread); one of them goes.
        const pooled = (await sessions()).filter((pid) => !before.includes(pid));
        expect(pooled).toHaveLength(2);
        await outside.query('SELECT pg_terminate_backend($1)', [pooled[0]]);
        const outcomes: string[] = [];
        for (let call = 0; call < 8; call += 1) {
          outcomes.push(await store.getStatus(agent).then(() => 'ok', (error: unknown) => (error instanceof Error ? error.message : String(error))));
        }
        // Calls take the two threads in turn: the lost one gets the first or the second, and no other.
        expect(outcomes.filter((outcome) => outcome !== 'ok')).toHaveLength(1);
        expect(outcomes.slice(2)).toEqual(Array(6).fill('ok'));
        expect(logged.filter((message) => message.includes('lost its connection'))).toHaveLength(1);
      } finally {
        await outside.end();
        await store.close();
      }
    });
  });
});

describe('a pooled store keeps a tool call\'s one busy deadline', () => {
  it('counts it from when the tool call began, not from when its thread took the call: a store held past it answers BUSY at once', async () => {
    await withPgScratchSchema(database.url, 'pool_deadline', async (schema) => {
      const [agent] = await teammates(database.url, schema, 1);
      if (agent === undefined) throw new Error('no teammate');
      const store = await openPooledPostgresTeamStore({ url: database.url, schema, threads: 1, lockSliceMs: 100, busyRetry: { deadlineMs: 1_500 } });
      const outside = await connectPostgres(database.url, schema);
      try {
        await outside.query(`SELECT pg_advisory_lock(${PG_WRITE_LOCK_KEY})`);
        // The tool call spends 1.2 s of its 1.5 s before it reaches the store.
        const { code, storeMs } = await withinOneBusyDeadline(async () => {
          await sleep(1_200);
          const started = performance.now();
          const code = await store.claimNextTask(agent, { leaseMs: 60_000 }).then(
            () => 'claimed',
            (error: unknown) => (error instanceof Error && 'code' in error ? String(error.code) : String(error)),
          );
          return { code, storeMs: performance.now() - started };
        });
        expect(code).toBe('BUSY');
        // What was left of the deadline (0.3 s) and a lock slice; a deadline of its own in the thread would be 1.5 s.
        expect(storeMs).toBeLessThan(1_000);
      } finally {
        await outside.query(`SELECT pg_advisory_unlock(${PG_WRITE_LOCK_KEY})`);
        await outside.end();
        await store.close();
      }
    });
  });
});
