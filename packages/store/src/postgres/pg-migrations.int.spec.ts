import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from 'pg';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { readMigrations, type Migration } from '../migrations';
import { openSqliteTeamStore } from '../sqlite-team-store';
import { PgScratch } from '../testing/pg-scratch-database';
import { connectPostgres } from './pg-driver';
import { CURRENT_PG_SCHEMA_VERSION, defaultPgMigrationsDir, migratePostgres } from './pg-migrations';

// The PostgreSQL migrations against a real throwaway cluster ($CODEX_TEAM_PG_URL, else one this
// suite starts): applied once with their checksums, a mirror of the SQLite schema, and refusals
// that change nothing. Each test gets a database of its own.

jest.setTimeout(120_000);

let pg: PgScratch;
const shipped = readMigrations(defaultPgMigrationsDir());

beforeAll(async () => {
  pg = await PgScratch.start();
});
afterAll(async () => {
  await pg.release();
});

async function withDatabase(test: (client: Client, url: string) => Promise<void>): Promise<void> {
  const db = await pg.database();
  const client = await connectPostgres(db.url);
  try {
    await test(client, db.url);
  } finally {
    await client.end();
    await db.drop();
  }
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return isTeamError(error) ? error.code : String(error);
  }
  return 'applied';
}

/** Every table and every row of schema_migrations: what a refused migration must leave as it was. */
async function fingerprint(client: Client): Promise<unknown> {
  const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  const applied = await client.query('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version');
  return { tables: tables.rows, applied: applied.rows };
}

/** Team tm_a and its lead ag_l, in one transaction (the team's reference to its lead is deferred). */
async function seedTeam(client: Client): Promise<void> {
  await client.query('BEGIN');
  await client.query("INSERT INTO teams (id, name, objective, state, lead_agent_id, max_threads, profile, created_at) VALUES ('tm_a', 'a', '', 'active', 'ag_l', 2, 'default', 1)");
  await client.query("INSERT INTO agents (id, team_id, name, role, state, created_at) VALUES ('ag_l', 'tm_a', 'lead', 'lead', 'active', 1)");
  await client.query('COMMIT');
}

function next(version: number, name: string, sql: string): Migration {
  return { version, name, sql, checksum: `checksum-of-${name}` };
}

describe('PostgreSQL migrations', () => {
  it('ships files numbered up to CURRENT_PG_SCHEMA_VERSION', () => {
    expect(shipped.map((migration) => migration.version)).toEqual(Array.from({ length: CURRENT_PG_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('applies every migration once with its checksum, and applying again changes nothing', () =>
    withDatabase(async (client) => {
      expect(await migratePostgres(client, shipped, 1_000)).toEqual(shipped.map((migration) => migration.version));
      const before = await fingerprint(client);
      expect((before as { applied: unknown[] }).applied).toEqual(
        shipped.map(({ version, name, checksum }) => ({ version, name, checksum, applied_at: '1000' })),
      );
      expect(await migratePostgres(client, shipped, 2_000)).toEqual([]);
      expect(await fingerprint(client)).toEqual(before);
    }));

  it('mirrors the SQLite schema: the same tables, columns and indexes', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      const dir = mkdtempSync(join(tmpdir(), 'codex-team-pg-mirror-'));
      const sqlitePath = join(dir, 'team.db');
      await (await openSqliteTeamStore({ path: sqlitePath, clock: new FakeClock(), ids: new SequentialIdGenerator() })).close();
      const sqlite = new Database(sqlitePath, { readonly: true });
      const sqliteColumns: Record<string, string[]> = {};
      let sqliteIndexes: string[];
      try {
        const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
        for (const table of tables) {
          sqliteColumns[table] = (sqlite.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name).sort();
        }
        sqliteIndexes = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").pluck().all() as string[]).sort();
      } finally {
        sqlite.close();
        rmSync(dir, { recursive: true, force: true });
      }
      const columns = await client.query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
      );
      const pgColumns: Record<string, string[]> = {};
      // SQLite's implicit rowid is a column of its own in PostgreSQL (0009_row_order), where the store reads it.
      for (const row of columns.rows) if (row.column_name !== 'rowid') (pgColumns[row.table_name] ??= []).push(row.column_name);
      for (const list of Object.values(pgColumns)) list.sort();
      expect(pgColumns).toEqual(sqliteColumns);
      // Indexes we named (not those behind primary keys and UNIQUE constraints).
      const indexes = await client.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key' ORDER BY 1",
      );
      expect(indexes.rows.map((row) => row.indexname).sort()).toEqual(sqliteIndexes);
    }));

  it('keeps task counts by status in the same transaction, as the SQLite triggers do', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      await seedTeam(client);
      await client.query(
        "INSERT INTO tasks (id, team_id, title, description, status, created_by, created_at, updated_at) VALUES ('tk_1', 'tm_a', 'a', '', 'ready', 'ag_l', 1, 1), ('tk_2', 'tm_a', 'b', '', 'ready', 'ag_l', 1, 1), ('tk_3', 'tm_a', 'c', '', 'blocked', 'ag_l', 1, 1)",
      );
      await client.query("UPDATE tasks SET status = 'in_progress' WHERE id = 'tk_1'");
      await client.query("UPDATE tasks SET title = 'renamed' WHERE id = 'tk_2'");
      await client.query("UPDATE tasks SET status = 'done' WHERE id = 'tk_1'");
      const counts = await client.query('SELECT status, n FROM task_status_counts WHERE team_id = $1 ORDER BY status', ['tm_a']);
      expect(counts.rows).toEqual([
        { status: 'blocked', n: 1 },
        { status: 'done', n: 1 },
        { status: 'in_progress', n: 0 },
        { status: 'ready', n: 1 },
      ]);
      // The deferred reference still holds at commit: a team whose lead does not exist is refused.
      await client.query('BEGIN');
      await client.query("INSERT INTO teams (id, name, objective, state, lead_agent_id, max_threads, profile, created_at) VALUES ('tm_b', 'b', '', 'active', 'ag_missing', 2, 'default', 1)");
      await expect(client.query('COMMIT')).rejects.toThrow(/teams_lead_agent_fk/);
    }));

  it('adds up the durations of done tasks by role in the same transaction, as the SQLite trigger does', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      await seedTeam(client);
      await client.query(
        "INSERT INTO tasks (id, team_id, title, description, required_role, status, created_by, created_at, updated_at, claimed_at, completed_at) VALUES " +
          "('tk_1', 'tm_a', 'a', '', 'coder', 'in_progress', 'ag_l', 1, 1, 1000, 4000), ('tk_2', 'tm_a', 'b', '', 'coder', 'in_progress', 'ag_l', 1, 1, 1000, 2000), " +
          "('tk_3', 'tm_a', 'c', '', NULL, 'in_progress', 'ag_l', 1, 1, 5000, 6000), ('tk_4', 'tm_a', 'd', '', NULL, 'in_progress', 'ag_l', 1, 1, NULL, 9000)",
      );
      await client.query("UPDATE tasks SET status = 'done' WHERE id IN ('tk_1', 'tk_2', 'tk_3', 'tk_4')");
      // Done again teaches nothing twice; a task never claimed teaches nothing.
      await client.query("UPDATE tasks SET status = 'done', title = 'again' WHERE id = 'tk_1'");
      const totals = await client.query('SELECT role_key, samples, total_ms FROM task_duration_totals WHERE team_id = $1 ORDER BY role_key', ['tm_a']);
      expect(totals.rows).toEqual([
        { role_key: '*', samples: 1, total_ms: '1000' },
        { role_key: 'coder', samples: 2, total_ms: '4000' },
      ]);
    }));

  it('moves a team\'s DAG version on the changes that re-rank claims, as the SQLite triggers do', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      await seedTeam(client);
      const version = async (): Promise<number> => Number((await client.query<{ version: string }>("SELECT version FROM dag_versions WHERE team_id = 'tm_a'")).rows[0]?.version ?? 0);
      await client.query(
        "INSERT INTO tasks (id, team_id, title, description, status, created_by, created_at, updated_at) VALUES ('tk_1', 'tm_a', 'a', '', 'ready', 'ag_l', 1, 1), ('tk_2', 'tm_a', 'b', '', 'blocked', 'ag_l', 1, 1)",
      );
      await client.query("INSERT INTO task_dependencies (task_id, depends_on_id) VALUES ('tk_2', 'tk_1')");
      expect(await version()).toBe(3);
      // Claimed, done, a dependant unblocked: no live rank changes.
      await client.query("UPDATE tasks SET status = 'in_progress' WHERE id = 'tk_1'");
      await client.query("UPDATE tasks SET status = 'done', title = 'x' WHERE id = 'tk_1'");
      await client.query("UPDATE tasks SET status = 'ready' WHERE id = 'tk_2'");
      expect(await version()).toBe(3);
      // Reopened, re-prioritised, given a role or an estimate, cancelled; an edge removed.
      await client.query("UPDATE tasks SET status = 'ready' WHERE id = 'tk_1'");
      await client.query("UPDATE tasks SET priority = 2 WHERE id = 'tk_2'");
      await client.query("UPDATE tasks SET required_role = 'coder', estimate_min = 5 WHERE id = 'tk_2'");
      await client.query("UPDATE tasks SET status = 'cancelled' WHERE id = 'tk_2'");
      await client.query("DELETE FROM task_dependencies WHERE task_id = 'tk_2'");
      expect(await version()).toBe(8);
    }));

  it('never changes nor deletes audit events a checkpoint archived, as the SQLite triggers do', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      await seedTeam(client);
      const event = "INSERT INTO audit_events (team_id, at, action, decision, reason, data) VALUES ('tm_a', 1, 'x', 'allow', 'r', '{}') RETURNING seq";
      const archived = Number((await client.query<{ seq: string }>(event)).rows[0]?.seq);
      await client.query(
        "INSERT INTO artifacts (id, team_id, name, version, media_type, sha256, size_bytes, content, published_by, created_at) VALUES ('ar_1', 'tm_a', 'team-checkpoint', 1, 'text/plain', 'h', 0, '', 'ag_l', 1)",
      );
      await client.query(
        `INSERT INTO checkpoints (team_id, number, format, upto_seq, events, archive_from_seq, archive_to_seq, archive_events, archive_sha256, state, state_sha256, state_digest, artifact_id, created_at)
         VALUES ('tm_a', 1, 1, $1, 1, $1, $1, 1, 'a', '\\x00', 's', 'd', 'ar_1', 1)`,
        [archived],
      );
      const later = Number((await client.query<{ seq: string }>(event)).rows[0]?.seq);
      expect(String(await refusal(client.query("UPDATE audit_events SET reason = 'edited' WHERE seq = $1", [archived])))).toMatch(/never changed/);
      expect(String(await refusal(client.query('DELETE FROM audit_events WHERE seq = $1', [archived])))).toMatch(/never deleted/);
      // An event after the checkpoint is not archived yet.
      await client.query("UPDATE audit_events SET reason = 'edited' WHERE seq = $1", [later]);
      expect((await client.query('SELECT reason FROM audit_events ORDER BY seq')).rows).toEqual([{ reason: 'r' }, { reason: 'edited' }]);
    }));

  it('refuses a database newer than the code (SCHEMA_MISMATCH), changing nothing', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      await client.query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, 'future', 'x', 0)", [CURRENT_PG_SCHEMA_VERSION + 1]);
      const before = await fingerprint(client);
      expect(await refusal(migratePostgres(client, shipped, 2))).toBe('SCHEMA_MISMATCH');
      expect(await fingerprint(client)).toEqual(before);
    }));

  it('refuses a database whose applied migration differs from its file (SCHEMA_MISMATCH), changing nothing', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      const before = await fingerprint(client);
      const edited = shipped.map((migration) => (migration.version === 1 ? { ...migration, checksum: 'edited-after-it-was-applied' } : migration));
      expect(await refusal(migratePostgres(client, [...edited, next(CURRENT_PG_SCHEMA_VERSION + 1, 'extra', 'CREATE TABLE extra (id int)')], 2))).toBe(
        'SCHEMA_MISMATCH',
      );
      expect(await fingerprint(client)).toEqual(before);
    }));

  it('applies a new pending migration, and rolls a failing one back entirely', () =>
    withDatabase(async (client) => {
      await migratePostgres(client, shipped, 1);
      const extra = next(CURRENT_PG_SCHEMA_VERSION + 1, 'extra', 'CREATE TABLE extra (id int);');
      expect(await migratePostgres(client, [...shipped, extra], 2)).toEqual([CURRENT_PG_SCHEMA_VERSION + 1]);
      const before = await fingerprint(client);
      const broken = next(CURRENT_PG_SCHEMA_VERSION + 2, 'broken', 'CREATE TABLE half (id int);\nTHIS IS NOT SQL;');
      expect(String(await refusal(migratePostgres(client, [...shipped, extra, broken], 3)))).toMatch(/syntax error/);
      expect(await fingerprint(client)).toEqual(before);
    }));

  it('lets servers that open a fresh database at once apply the migrations exactly once', () =>
    withDatabase(async (client, url) => {
      const others = await Promise.all([connectPostgres(url), connectPostgres(url), connectPostgres(url)]);
      try {
        const results = await Promise.all([client, ...others].map((each) => migratePostgres(each, shipped, 1)));
        expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, 0, shipped.length]);
        expect((await client.query('SELECT count(*)::int AS n FROM schema_migrations')).rows).toEqual([{ n: shipped.length }]);
      } finally {
        await Promise.all(others.map((other) => other.end()));
      }
    }));

  it('catches the broken variant: without the advisory lock, servers opening a fresh database at once fail', () =>
    withDatabase(async (client, url) => {
      const others = await Promise.all([connectPostgres(url), connectPostgres(url), connectPostgres(url)]);
      try {
        const results = await Promise.allSettled([client, ...others].map((each) => migratePostgres(each, shipped, 1, { advisoryLock: false })));
        expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThan(0);
      } finally {
        await Promise.all(others.map((other) => other.end()));
      }
    }));
});
