import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { CURRENT_SCHEMA_VERSION, defaultMigrationsDir } from './migrations';
import { openSqliteTeamStore, openSqliteTeamStoreReadOnly, type SqliteTeamStore } from './sqlite-team-store';
import { makeDirectory } from './store-file';

const root = mkdtempSync(join(tmpdir(), 'codex-team-read-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cases = 0;
/** A folder of its own per case, so "no file appeared beside it" can be checked. */
function folder(): string {
  cases += 1;
  const dir = join(root, `case-${cases}`);
  mkdirSync(dir);
  return dir;
}

const clock = new FakeClock();
const ids = new SequentialIdGenerator();
const openWritable = (path: string, migrationsDir?: string) =>
  openSqliteTeamStore({ path, clock, ids, ...(migrationsDir === undefined ? {} : { migrationsDir }) });
const openReadOnly = (path: string) => openSqliteTeamStoreReadOnly({ path, clock });

async function seedStore(path: string, migrationsDir?: string): Promise<string> {
  const store = await openWritable(path, migrationsDir);
  try {
    const bound = await store.createTeam({ name: 'kept', objective: 'o', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
    return bound.team.id;
  } finally {
    await store.close();
  }
}

/** Every byte, the modification time and the folder's listing: what "left as it was" means. */
function fingerprint(path: string, dir: string): { bytes: string; mtimeMs: number; files: string[] } {
  const stats = statSync(path);
  return {
    bytes: stats.isDirectory() ? '(folder)' : readFileSync(path).toString('base64'),
    mtimeMs: stats.mtimeMs,
    files: readdirSync(dir).sort(),
  };
}

/** A real application's database, as another program leaves it: its own tables and a Rails-style schema_migrations. */
function appDatabase(path: string, journal: 'wal' | 'delete'): void {
  const app = new Database(path);
  app.pragma(`journal_mode = ${journal}`);
  app.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TEXT);
    CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
    INSERT INTO schema_migrations VALUES ('20240101000000');
    INSERT INTO notes (body, created_at) VALUES ('buy milk', '2024-01-01'), ('call mum', '2024-01-02');`);
  app.close();
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isTeamError(error) ? error.message : `not a TeamError: ${String(error)}`;
  }
  return 'opened';
}

describe('opening a store read-only', () => {
  it('reads a store without writing it or creating any file beside it', async () => {
    const dir = folder();
    const path = join(dir, 'team.db');
    const teamId = await seedStore(path);
    const before = fingerprint(path, dir);
    const store = await openReadOnly(path);
    try {
      expect(store.live).toBe(false);
      expect((await store.listTeams()).map((team) => team.id)).toEqual([teamId]);
      expect((await store.readTeam(teamId as never)).agents).toHaveLength(1);
      expect(await store.listAuthzDecisions({ teamId: teamId as never })).toEqual([]);
    } finally {
      await store.close();
    }
    expect(fingerprint(path, dir)).toEqual(before);
  });

  it('reads a store in use in place and sees commits made after it opened', async () => {
    const path = join(folder(), 'team.db');
    await seedStore(path);
    const writer = await openWritable(path);
    const reader = await openReadOnly(path);
    try {
      expect(reader.live).toBe(true);
      expect(await reader.listTeams()).toHaveLength(1);
      await writer.createTeam({ name: 'later', objective: '', maxThreads: 1, profile: 'default', leadName: 'lead', resumeTicketHash: 'r2' });
      expect((await reader.listTeams()).map((team) => team.name).sort()).toEqual(['kept', 'later']);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('refuses any write through it, and the file stays as it was', async () => {
    const dir = folder();
    const path = join(dir, 'team.db');
    await seedStore(path);
    const before = fingerprint(path, dir);
    const store = await openReadOnly(path);
    const writable = store as unknown as SqliteTeamStore;
    const outcome = await writable
      .createTeam({ name: 'sneaky', objective: '', maxThreads: 1, profile: 'default', leadName: 'l', resumeTicketHash: 'x' })
      .then(
        () => 'written',
        (error: unknown) => String(error),
      );
    expect({ live: store.live, outcome }).toEqual({ live: store.live, outcome: expect.stringMatching(/readonly|read-only|query_only/i) });
    expect((await store.listTeams()).map((team) => team.name)).toEqual(['kept']);
    await store.close();
    expect(fingerprint(path, dir)).toEqual(before);
  });

  it('reads an older store through an upgraded copy in memory, leaving the file at its version', async () => {
    const dir = folder();
    const path = join(dir, 'team.db');
    const older = join(dir, 'older-migrations');
    cpSync(defaultMigrationsDir(), older, { recursive: true });
    const last = readdirSync(older).sort().at(-1) ?? '';
    rmSync(join(older, last));
    // Today's code writes today's columns, so the older store gets its team as that code wrote it.
    await openWritable(path, older).then((store) => store.close());
    const teamId = 'tm_olderstore';
    const db = new Database(path);
    db.transaction(() => {
      db.prepare(
        "INSERT INTO teams (id, name, objective, state, lead_agent_id, max_threads, profile, created_at, root_team_id) VALUES (?, 'kept', 'o', 'active', 'ag_olderlead', 2, 'default', 0, ?)",
      ).run(teamId, teamId);
      db.prepare("INSERT INTO agents (id, team_id, name, role, state, epoch, created_at) VALUES ('ag_olderlead', ?, 'lead', 'lead', 'active', 1, 0)").run(teamId);
    })();
    db.close();
    const before = fingerprint(path, dir);
    const store = await openReadOnly(path);
    try {
      expect(store.live).toBe(false);
      expect(store.schemaVersion).toBe(CURRENT_SCHEMA_VERSION - 1);
      expect((await store.listTeams()).map((team) => team.id)).toEqual([teamId]);
    } finally {
      await store.close();
    }
    expect(fingerprint(path, dir)).toEqual(before);
    const versions = new Database(path, { readonly: true });
    expect(versions.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(CURRENT_SCHEMA_VERSION - 1);
    versions.close();
  });

  it.each([
    ['another application\'s database (rollback journal)', 'delete'],
    ['another application\'s database (WAL)', 'wal'],
  ] as const)('refuses %s with NOT_A_STORE and leaves it byte-identical', async (_label, journal) => {
    const dir = folder();
    const path = join(dir, 'notes.sqlite');
    appDatabase(path, journal);
    const before = fingerprint(path, dir);
    expect(await refusal(openReadOnly(path))).toBe(`NOT_A_STORE: ${path} is a SQLite database but not a codex-team store (no codex-team schema); it was left as it was`);
    expect(fingerprint(path, dir)).toEqual(before);
    // The migrating opener (servers, recover, demo) refuses it the same way, before any write.
    expect(await refusal(openWritable(path))).toMatch(/^NOT_A_STORE: /);
    expect(fingerprint(path, dir)).toEqual(before);
  });

  it('refuses a file that is not SQLite, an empty file and a folder with NOT_A_STORE, changing nothing', async () => {
    const dir = folder();
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a database\n'.repeat(10));
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const before = [text, empty, sub].map((path) => fingerprint(path, dir));
    expect(await refusal(openReadOnly(text))).toBe(`NOT_A_STORE: ${text} is not a SQLite database, so not a codex-team store; it was left as it was`);
    expect(await refusal(openReadOnly(empty))).toBe(`NOT_A_STORE: ${empty} is an empty file, not a codex-team store`);
    expect(await refusal(openReadOnly(sub))).toBe(`NOT_A_STORE: ${sub} is a folder, not a store file`);
    expect(await refusal(openWritable(text))).toMatch(/^NOT_A_STORE: /);
    expect(await refusal(openWritable(sub))).toMatch(/^NOT_A_STORE: /);
    expect([text, empty, sub].map((path) => fingerprint(path, dir))).toEqual(before);
  });

  it('refuses a store newer than the code with SCHEMA_MISMATCH, changing nothing', async () => {
    const dir = folder();
    const path = join(dir, 'team.db');
    await seedStore(path);
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, 'future', 'x', 0)").run(CURRENT_SCHEMA_VERSION + 1);
    raw.close();
    const before = fingerprint(path, dir);
    expect(await refusal(openReadOnly(path))).toBe(
      `SCHEMA_MISMATCH: ${path}: the database has schema version ${CURRENT_SCHEMA_VERSION + 1} (future), newer than this code knows (${CURRENT_SCHEMA_VERSION}); upgrade codex-team or use another database file`,
    );
    expect(fingerprint(path, dir)).toEqual(before);
  });

  it('answers NOT_FOUND for a missing file and creates nothing', async () => {
    const dir = folder();
    expect(await refusal(openReadOnly(join(dir, 'absent.db')))).toBe(`NOT_FOUND: no store at ${join(dir, 'absent.db')}`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('creating a store', () => {
  it('fails with FILE_ACCESS instead of looping where the file system refuses a folder (/proc)', async () => {
    expect(() => makeDirectory('/proc/codex-team-test/deeper')).toThrow(/^FILE_ACCESS: cannot create the folder \/proc\/codex-team-test: /);
    expect(await refusal(openWritable('/proc/codex-team-test/team.db'))).toMatch(/^FILE_ACCESS: cannot create the folder \/proc\/codex-team-test: /);
  });

  it('fails with FILE_ACCESS naming the file that stands where a folder should be', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'file'), 'x');
    expect(await refusal(openWritable(join(dir, 'file', 'team.db')))).toBe(
      `FILE_ACCESS: cannot create ${join(dir, 'file')}: ${join(dir, 'file')} is not a folder`,
    );
  });
});
