import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { TeamError } from '@codex-team/contracts';

/** The schema version this code writes: the number of the last file in `migrations/`. */
export const CURRENT_SCHEMA_VERSION = 15;

/** One numbered SQL file of `migrations/`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** sha256 of the file's bytes; an applied migration whose file changed is refused. */
  checksum: string;
}

/** One row of `schema_migrations`. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The first migration: the marker of a real migrations folder. */
const FIRST_MIGRATION = '0001_initial.sql';

/**
 * The nearest folder named `folder` at or above this module that holds the first migration. That
 * is the store package's own folder from `src` under ts-jest, from a built `dist` and from an
 * installed package, and the copy beside the bundled `codex-team-mcp` binary.
 */
export function findMigrationsDir(folder: string): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, folder, FIRST_MIGRATION))) return join(dir, folder);
    const parent = dirname(dir);
    if (parent === dir) {
      throw new TeamError('INTERNAL', `no ${folder}/${FIRST_MIGRATION} at or above ${__dirname}`);
    }
    dir = parent;
  }
}

/** The shipped SQLite `migrations/` folder. */
export function defaultMigrationsDir(): string {
  return findMigrationsDir('migrations');
}

/** Reads `NNNN_name.sql` files in version order; gaps or duplicate numbers are refused. */
export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file): Migration => {
      const match = MIGRATION_FILE.exec(file);
      if (match === null || match[1] === undefined || match[2] === undefined) {
        throw new TeamError('INTERNAL', `migration file ${file} is not named NNNN_name.sql`);
      }
      const bytes = readFileSync(join(dir, file));
      return {
        version: Number(match[1]),
        name: match[2],
        sql: bytes.toString('utf8'),
        checksum: createHash('sha256').update(bytes).digest('hex'),
      };
    });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new TeamError('INTERNAL', `migrations must be numbered 1, 2, 3...: found ${migration.version} at ${index + 1}`);
    }
  });
  return migrations;
}

/** What a database's `schema_migrations` says, checked against the code's migration files. */
export interface SchemaCheck {
  /** The highest version applied to the database (0 for a database with none). */
  version: number;
  /** The code's migrations the database has not applied yet, in order. */
  pending: Migration[];
}

/**
 * Checks the migrations a database has applied against the code's files, reading only. Refuses
 * with `SCHEMA_MISMATCH` when an applied migration's checksum differs from its file (someone
 * edited an applied migration) or the database holds a version these files do not know (it was
 * written by newer code). The one rule the SQLite runner, the read-only opener and the PostgreSQL
 * runner apply.
 */
export function checkAppliedMigrations(applied: readonly AppliedMigration[], migrations: readonly Migration[]): SchemaCheck {
  const known = new Map(migrations.map((migration) => [migration.version, migration]));
  for (const row of applied) {
    const file = known.get(row.version);
    if (file === undefined) {
      throw new TeamError(
        'SCHEMA_MISMATCH',
        `the database has schema version ${row.version} (${row.name}), newer than this code knows ` +
          `(${migrations.length}); upgrade codex-team or use another database file`,
        { database_version: row.version, code_version: migrations.length },
      );
    }
    if (file.checksum !== row.checksum) {
      throw new TeamError(
        'SCHEMA_MISMATCH',
        `applied migration ${row.version}_${row.name} differs from its file; applied migrations are never edited`,
        { version: row.version, applied_checksum: row.checksum, file_checksum: file.checksum },
      );
    }
  }
  const done = new Set(applied.map((row) => row.version));
  return {
    version: applied.reduce((highest, row) => Math.max(highest, row.version), 0),
    pending: migrations.filter((migration) => !done.has(migration.version)),
  };
}

/** The applied migrations of a database that has the `schema_migrations` table. */
export function readAppliedMigrations(db: Database.Database): AppliedMigration[] {
  return db.prepare<[], AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all();
}

/**
 * Brings the database up to the given migrations in one IMMEDIATE transaction, so two processes
 * opening a fresh file at once cannot both apply them. Refuses with `SCHEMA_MISMATCH`, changing
 * nothing, as `checkAppliedMigrations` does. Returns the versions it applied.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], now: number): number[] {
  const run = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      checksum   TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT`);
    const { pending } = checkAppliedMigrations(readAppliedMigrations(db), migrations);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
    for (const migration of pending) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, migration.checksum, now);
    }
    return pending.map((migration) => migration.version);
  });
  return run.immediate();
}
