import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import type { TeamStore } from '../team-store';
import { digestPostgres } from '../testing/pg-digest';
import { PgScratch, type ScratchDatabase } from '../testing/pg-scratch-database';
import { defaultPgMigrationsDir } from './pg-migrations';
import { openPostgresTeamStoreReadOnly } from './pg-read-only-store';
import { openPostgresTeamStore } from './pg-team-store';

// The operator's reader of a PostgreSQL store, on a real throwaway cluster ($CODEX_TEAM_PG_URL,
// else one this suite starts): it never creates, migrates or writes anything.

jest.setTimeout(120_000);

let pg: PgScratch;
const databases: ScratchDatabase[] = [];

beforeAll(async () => {
  pg = await PgScratch.start();
});
afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
  await pg.release();
});

async function database(): Promise<ScratchDatabase> {
  const made = await pg.database();
  databases.push(made);
  return made;
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isTeamError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('not refused');
}

describe("opening a PostgreSQL store for the operator's verbs", () => {
  it('the reader refuses a database without a codex-team store with NOT_A_STORE, creating nothing, its password masked', async () => {
    const empty = await database();
    const refusal = await codeOf(openPostgresTeamStoreReadOnly({ url: empty.url, clock: new FakeClock() }));
    expect(refusal).toMatch(/^NOT_A_STORE: .*the PostgreSQL database postgres:\/\/codex:\*\*\*@.* holds no codex-team store/);
    expect(refusal).not.toContain(decodeURIComponent(new URL(empty.url).password));
    expect(await digestPostgres(empty.url)).toEqual({});
  });

  it('the writer (existingOnly) refuses it too, rather than make a store there', async () => {
    const empty = await database();
    const refusal = await codeOf(openPostgresTeamStore({ url: empty.url, clock: new FakeClock(), ids: new SequentialIdGenerator(), existingOnly: true }));
    expect(refusal).toMatch(/^NOT_A_STORE: /);
    expect(await digestPostgres(empty.url)).toEqual({});
  });

  it('the writer opens a current store with a role that may read and write its rows but not CREATE', async () => {
    const db = await database();
    await (await openPostgresTeamStore({ url: db.url, clock: new FakeClock(), ids: new SequentialIdGenerator() })).close();
    const role = `rows_${process.pid}_${Date.now() % 100_000}`;
    await db.run(
      `CREATE ROLE ${role} LOGIN PASSWORD 'rows-pass'; REVOKE CREATE ON SCHEMA public FROM PUBLIC; ` +
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
    );
    try {
      const url = new URL(db.url);
      url.username = role;
      url.password = 'rows-pass';
      const store = await openPostgresTeamStore({ url: url.toString(), clock: new FakeClock(), ids: new SequentialIdGenerator(), time: 'clock', existingOnly: true });
      try {
        const bound = await store.createTeam({ name: 'rows', objective: 'o', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
        expect((await store.listTeams()).map((team) => team.id)).toEqual([bound.team.id]);
      } finally {
        await store.close();
      }
    } finally {
      await db.run(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('the reader refuses an older store with SCHEMA_MISMATCH and leaves it unmigrated (a server upgrades it)', async () => {
    const older = await database();
    const dir = mkdtempSync(join(tmpdir(), 'codex-team-pg-older-'));
    try {
      const files = readdirSync(defaultPgMigrationsDir()).filter((file) => file.endsWith('.sql')).sort();
      for (const file of files.slice(0, -1)) copyFileSync(join(defaultPgMigrationsDir(), file), join(dir, file));
      await (await openPostgresTeamStore({ url: older.url, clock: new FakeClock(), ids: new SequentialIdGenerator(), migrationsDir: dir })).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const before = await digestPostgres(older.url);
    expect(await codeOf(openPostgresTeamStoreReadOnly({ url: older.url, clock: new FakeClock() }))).toMatch(/^SCHEMA_MISMATCH: .* older than this code reads/);
    expect(await digestPostgres(older.url)).toEqual(before);
  });

  it('the reader sees what a server commits after it opened, and its session refuses any write', async () => {
    const db = await database();
    const clock = new FakeClock();
    const writer = await openPostgresTeamStore({ url: db.url, clock, ids: new SequentialIdGenerator(), time: 'clock' });
    const reader = await openPostgresTeamStoreReadOnly({ url: db.url, clock });
    try {
      expect(reader).toMatchObject({ live: true });
      expect(await reader.listTeams()).toEqual([]);
      const bound = await writer.createTeam({ name: 'later', objective: 'o', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
      expect((await reader.listTeams()).map((team) => team.id)).toEqual([bound.team.id]);
      const before = await digestPostgres(db.url, { includeDecisionLog: true });
      // The reader's type offers no write; its session refuses one all the same.
      const asStore = reader as unknown as TeamStore;
      await expect(asStore.createTeam({ name: 'sneaky', objective: 'o', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r2' })).rejects.toThrow(/read-only transaction/);
      expect(await digestPostgres(db.url, { includeDecisionLog: true })).toEqual(before);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
