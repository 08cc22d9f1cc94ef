import { TeamError, type Clock } from '@codex-team/contracts';
import type { ProfileCatalog } from '@codex-team/policy-engine';
import { readMigrations } from '../migrations';
import type { TeamStoreReader } from '../sqlite-team-store';
import { redactStoreLocation } from '../store-location';
import { defaultPgMigrationsDir } from './pg-migrations';
import { checkPostgresStore, connectPostgresStore, postgresUnreachable, readPostgresStore } from './pg-store-check';
import { PgSyncConnection } from './pg-sync-connection';
import { postgresTeamStoreOn } from './pg-team-store';

export interface PostgresReaderOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** The schema the store's tables live in (search_path). @default the user's search_path */
  schema?: string;
  clock: Clock;
  /** @default the package's migrations-pg/ */
  migrationsDir?: string;
  /** The profiles its snapshots' hints are read with. @default ProfileCatalog.shipped() */
  profiles?: ProfileCatalog;
}

/**
 * Opens a PostgreSQL store for inspection (the operator's reading verbs) without ever writing the
 * database: nothing is created or migrated, and the session is read-only
 * (default_transaction_read_only), so any write through it fails. Reads see commits as servers
 * make them (`live`). Refuses, changing nothing: a database without a codex-team store with
 * `NOT_A_STORE`; an older schema (a server of this version upgrades it), a newer one or an edited
 * migration with `SCHEMA_MISMATCH`; a database it cannot reach with `FILE_ACCESS`.
 */
export async function openPostgresTeamStoreReadOnly(options: PostgresReaderOptions): Promise<TeamStoreReader> {
  const migrations = readMigrations(options.migrationsDir ?? defaultPgMigrationsDir());
  const admin = await connectPostgresStore(options.url, options.schema);
  let version: number;
  try {
    const check = await checkPostgresStore(admin, migrations, options.url);
    if (check.pending.length > 0) {
      throw new TeamError(
        'SCHEMA_MISMATCH',
        `the PostgreSQL database ${redactStoreLocation(options.url)} holds a codex-team store of schema version ${check.version}, older than this code reads (${migrations.length}); ` +
          'a server of this version upgrades it when it opens it (this read changed nothing)',
        { database_version: check.version, code_version: migrations.length },
      );
    }
    version = check.version;
  } finally {
    await admin.end();
  }
  const connection = new PgSyncConnection(options.url, options.schema === undefined ? {} : { searchPath: options.schema });
  try {
    connection.query('SET default_transaction_read_only = on');
  } catch (error) {
    connection.close();
    throw postgresUnreachable(options.url, error);
  }
  // No write runs through it: no ids are asked for, no claim is ranked, no decision is recorded.
  const store = postgresTeamStoreOn(connection, {
    url: options.url,
    clock: options.clock,
    ids: { next: () => '' },
    rankClaims: false,
    ...(options.profiles === undefined ? {} : { profiles: options.profiles }),
  });
  return Object.assign(store, { live: true, schemaVersion: version });
}

/** What `codex-team doctor` reads of a PostgreSQL database, changing nothing. */
export interface PostgresStoreLook {
  /** The store's schema version; null when the database holds no codex-team store yet. */
  version: number | null;
  /** The schema version of this code. */
  codeVersion: number;
  /**
   * A table of the store the role may not insert into, null when none: a role that may only read
   * (the operator's reading verbs need no more) cannot serve agents. Which rows each table needs
   * updated or deleted is the operations' business; a role short of those fails at that call.
   */
  unwritableTable: string | null;
}

/**
 * Looks at the database at `url` as a server would open it, changing nothing: its codex-team store's
 * schema version (none yet is no error: a server's first start makes it), and whether the role may
 * write every table of it. Refuses as openPostgresTeamStoreReadOnly does: FILE_ACCESS when the
 * database cannot be reached, NOT_A_STORE for another application's schema_migrations,
 * SCHEMA_MISMATCH for a newer schema or an edited migration.
 */
export async function lookAtPostgresStore(url: string, migrationsDir = defaultPgMigrationsDir()): Promise<PostgresStoreLook> {
  const migrations = readMigrations(migrationsDir);
  const client = await connectPostgresStore(url);
  try {
    const found = await readPostgresStore(client, migrations, url);
    if (found === null) return { version: null, codeVersion: migrations.length, unwritableTable: null };
    // schema_migrations is written only by a migration, which needs CREATE as well.
    const unwritable = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c
       WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname <> 'schema_migrations'
         AND NOT has_table_privilege(c.oid, 'INSERT')
       ORDER BY c.relname LIMIT 1`,
    );
    return { version: found.version, codeVersion: migrations.length, unwritableTable: unwritable.rows[0]?.relname ?? null };
  } catch (error) {
    if (error instanceof TeamError) throw error;
    // 42501, insufficient_privilege: reached, but the role may not even read the store.
    if ((error as { code?: unknown }).code === '42501') {
      throw new TeamError('FILE_ACCESS', `the database role may not read the store in ${redactStoreLocation(url)}: ${String((error as Error).message)}`, { location: redactStoreLocation(url) });
    }
    throw postgresUnreachable(url, error);
  } finally {
    await client.end();
  }
}
