import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { digestDatabase } from './testing/database-digest';
import { CURRENT_SCHEMA_VERSION, defaultMigrationsDir, readMigrations } from './migrations';
import { CURRENT_PG_SCHEMA_VERSION, defaultPgMigrationsDir } from './postgres/pg-migrations';
import { openSqliteTeamStore } from './sqlite-team-store';

const dir = mkdtempSync(join(tmpdir(), 'codex-team-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let cases = 0;
/** A private copy of the shipped migrations, which a test may then edit. */
function caseDir(): { db: string; migrations: string } {
  cases += 1;
  const migrations = join(dir, `case-${cases}`, 'migrations');
  cpSync(defaultMigrationsDir(), migrations, { recursive: true });
  return { db: join(dir, `case-${cases}`, 'team.db'), migrations };
}

/** The file name and version of the next migration after the shipped ones. */
const NEXT = CURRENT_SCHEMA_VERSION + 1;
const next = (name: string): string => `${String(NEXT).padStart(4, '0')}_${name}.sql`;
/** The recovery migration (messages rebuilt for system notices and task ids), whatever its number. */
const RECOVERY_FILE = readdirSync(defaultMigrationsDir()).find((file) => /^\d{4}_recovery\.sql$/.test(file)) ?? 'missing';
const SHIPPED = Array.from({ length: CURRENT_SCHEMA_VERSION }, (_, i) => i + 1);

async function openWith(db: string, migrations: string) {
  return openSqliteTeamStore({ path: db, clock: new FakeClock(), ids: new SequentialIdGenerator(), migrationsDir: migrations });
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return isTeamError(error) ? error.code : error;
  }
  return 'opened';
}

function applied(db: string): { version: number; name: string; checksum: string }[] {
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      checksum: string;
    }[];
  } finally {
    raw.close();
  }
}

describe('migrations', () => {
  it('ships files numbered up to CURRENT_SCHEMA_VERSION', () => {
    const shipped = readMigrations(defaultMigrationsDir());
    expect(shipped.map((m) => m.version)).toEqual(Array.from({ length: CURRENT_SCHEMA_VERSION }, (_, i) => i + 1));
    expect(readdirSync(defaultMigrationsDir())).toContain('0001_initial.sql');
  });

  it('applies every migration with its checksum once, and re-opens without change', async () => {
    const { db, migrations } = caseDir();
    await (await openWith(db, migrations)).close();
    const first = applied(db);
    expect(first).toEqual(readMigrations(migrations).map(({ version, name, checksum }) => ({ version, name, checksum })));
    const digest = digestDatabase(db);
    await (await openWith(db, migrations)).close();
    expect(applied(db)).toEqual(first);
    expect(digestDatabase(db)).toEqual(digest);
  });

  it('applies a new pending migration on open', async () => {
    const { db, migrations } = caseDir();
    await (await openWith(db, migrations)).close();
    writeFileSync(join(migrations, next('extra')), 'CREATE TABLE extra (id INTEGER PRIMARY KEY);\n');
    await (await openWith(db, migrations)).close();
    expect(applied(db).map((m) => m.version)).toEqual([...SHIPPED, NEXT]);
  });

  it('rolls back a failing migration entirely', async () => {
    const { db, migrations } = caseDir();
    await (await openWith(db, migrations)).close();
    writeFileSync(join(migrations, next('broken')), 'CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;\n');
    const digest = digestDatabase(db);
    expect(String(await refusal(openWith(db, migrations)))).toMatch(/syntax error/);
    expect(digestDatabase(db)).toEqual(digest);
  });

  it('refuses a database whose applied migration differs from its file (SCHEMA_MISMATCH)', async () => {
    const { db, migrations } = caseDir();
    await (await openWith(db, migrations)).close();
    appendFileSync(join(migrations, '0001_initial.sql'), '\n-- edited after it was applied\n');
    const digest = digestDatabase(db);
    expect(await refusal(openWith(db, migrations))).toBe('SCHEMA_MISMATCH');
    expect(digestDatabase(db)).toEqual(digest);
  });

  it('refuses a database newer than the code (SCHEMA_MISMATCH)', async () => {
    const { db, migrations } = caseDir();
    await (await openWith(db, migrations)).close();
    const raw = new Database(db);
    raw.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, 'future', 'x', 0)").run(NEXT);
    raw.close();
    const digest = digestDatabase(db);
    expect(await refusal(openWith(db, migrations))).toBe('SCHEMA_MISMATCH');
    expect(digestDatabase(db)).toEqual(digest);
  });

  it('rebuilds messages for recovery notices keeping every message, ack and reference, and counts tasks', async () => {
    const { db, migrations } = caseDir();
    const recovery = readFileSync(join(migrations, RECOVERY_FILE));
    // The store as it was before recovery: every shipped migration numbered below it.
    for (const file of readdirSync(migrations)) if (file >= RECOVERY_FILE) rmSync(join(migrations, file));
    await (await openWith(db, migrations)).close();
    const raw = new Database(db);
    raw.pragma('foreign_keys = ON');
    raw.exec(`
      BEGIN;
      INSERT INTO teams (id, name, objective, state, lead_agent_id, max_threads, profile, created_at)
        VALUES ('tm_a', 'a', '', 'active', 'ag_l', 2, 'default', 1);
      INSERT INTO agents (id, team_id, name, role, state, created_at) VALUES ('ag_l', 'tm_a', 'lead', 'lead', 'active', 1);
      INSERT INTO agents (id, team_id, name, role, state, created_at) VALUES ('ag_m', 'tm_a', 'mate', 'tester', 'active', 1);
      INSERT INTO messages (id, team_id, from_agent_id, to_agent_id, body, idempotency_key, created_at)
        VALUES ('ms_1', 'tm_a', 'ag_l', 'ag_m', 'hi', 'k1', 2), ('ms_2', 'tm_a', 'ag_m', NULL, 'all', NULL, 3);
      INSERT INTO message_acks VALUES ('ms_1', 'ag_m', 4);
      INSERT INTO tasks (id, team_id, title, description, status, created_by, created_at, updated_at)
        VALUES ('tk_1', 'tm_a', 'a', '', 'done', 'ag_l', 1, 1), ('tk_2', 'tm_a', 'b', '', 'ready', 'ag_l', 1, 1),
               ('tk_3', 'tm_a', 'c', '', 'ready', 'ag_l', 1, 1);
      COMMIT;`);
    raw.close();
    const before = digestDatabase(db);
    writeFileSync(join(migrations, RECOVERY_FILE), recovery);
    await (await openWith(db, migrations)).close();
    const after = new Database(db, { readonly: true });
    try {
      expect(after.prepare('SELECT seq, id, from_agent_id, to_agent_id, body, task_id, idempotency_key FROM messages ORDER BY seq').all()).toEqual([
        { seq: 1, id: 'ms_1', from_agent_id: 'ag_l', to_agent_id: 'ag_m', body: 'hi', task_id: null, idempotency_key: 'k1' },
        { seq: 2, id: 'ms_2', from_agent_id: 'ag_m', to_agent_id: null, body: 'all', task_id: null, idempotency_key: null },
      ]);
      expect(digestDatabase(db)['message_acks']).toEqual(before['message_acks']);
      expect(after.pragma('foreign_key_check')).toEqual([]);
      const references = after.pragma('foreign_key_list(message_acks)') as { table: string; from: string }[];
      expect(references.map((ref) => `${ref.from}->${ref.table}`).sort()).toEqual(['agent_id->agents', 'message_id->messages']);
      expect(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%_v2%'").pluck().get()).toBe(0);
      // Task counts start from the tasks already there.
      expect(after.prepare('SELECT team_id, status, n FROM task_status_counts ORDER BY status').all()).toEqual([
        { team_id: 'tm_a', status: 'done', n: 1 },
        { team_id: 'tm_a', status: 'ready', n: 2 },
      ]);
    } finally {
      after.close();
    }
  });

  it('refuses migration files that are misnamed or not numbered 1, 2, 3', () => {
    const { migrations } = caseDir();
    const gap = `${String(NEXT + 1).padStart(4, '0')}_gap.sql`;
    writeFileSync(join(migrations, gap), 'SELECT 1;');
    expect(() => readMigrations(migrations)).toThrow(/numbered/);
    rmSync(join(migrations, gap));
    writeFileSync(join(migrations, 'bad name.sql'), 'SELECT 1;');
    expect(() => readMigrations(migrations)).toThrow(/NNNN_name/);
  });

  it('gives every SQLite migration a PostgreSQL twin: 0001 to 0005 in PostgreSQL 0001, each later one by the same name', () => {
    // Checked here without a cluster; pg-migrations.int.spec.ts compares the resulting schemas.
    // PostgreSQL-only migrations (what SQLite has built in) have no twin.
    const PG_ONLY = new Set(['row_order']);
    const name = (migration: { name: string }): string => migration.name;
    const sqlite = readMigrations(defaultMigrationsDir());
    const pg = readMigrations(defaultPgMigrationsDir());
    expect(pg.map(name).filter((each) => !PG_ONLY.has(each)).slice(1)).toEqual(sqlite.map(name).slice(5));
    expect(CURRENT_PG_SCHEMA_VERSION).toBe(pg.length);
  });
});
