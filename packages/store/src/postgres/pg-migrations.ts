import type { ClientBase } from 'pg';
import { checkAppliedMigrations, findMigrationsDir, type AppliedMigration, type Migration } from '../migrations';

/** The PostgreSQL schema version this code writes: the number of the last file in `migrations-pg/`. */
export const CURRENT_PG_SCHEMA_VERSION = 12;

/**
 * Key of the transaction-level advisory lock the runner holds: servers on several machines opening
 * a fresh database at once apply the migrations one after the other, the later ones finding
 * nothing left to do.
 */
const MIGRATION_LOCK_KEY = '7316000001';

/** The shipped PostgreSQL `migrations-pg/` folder (numbered, checksummed, like SQLite's `migrations/`). */
export function defaultPgMigrationsDir(): string {
  return findMigrationsDir('migrations-pg');
}

/**
 * Brings a PostgreSQL database up to the given migrations in one transaction (PostgreSQL's DDL is
 * transactional, so a failing migration leaves nothing behind), under an advisory lock. Refuses
 * with `SCHEMA_MISMATCH`, changing nothing, as the SQLite runner does: an applied migration whose
 * file changed, or a database newer than the code. Returns the versions it applied.
 */
export async function migratePostgres(
  client: ClientBase,
  migrations: readonly Migration[],
  now: number,
  /** Only tests turn the lock off, to show what it prevents. @default true */
  options: { advisoryLock?: boolean } = {},
): Promise<number[]> {
  await client.query('BEGIN');
  try {
    if (options.advisoryLock !== false) await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      checksum   TEXT NOT NULL,
      applied_at BIGINT NOT NULL
    )`);
    const applied = await client.query<AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
    const { pending } = checkAppliedMigrations(applied.rows, migrations);
    for (const migration of pending) {
      // A file of several statements runs as one simple query (no parameters), inside this transaction.
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [
        migration.version,
        migration.name,
        migration.checksum,
        now,
      ]);
    }
    await client.query('COMMIT');
    return pending.map((migration) => migration.version);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
