import { randomBytes } from 'node:crypto';
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

async function freshSchema(): Promise<string> {
  const schema = `pool_${randomBytes(6).toString('hex')}`;
  const admin = await connectPostgres(database.url);
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return schema;
}

describeTeamStoreConformance('PostgreSQL, pooled over three threads', async (clock, ids, profiles, options): Promise<TeamStore> => {
  const schema = await freshSchema();
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
