import { TeamError, type Clock } from '@codex-team/contracts';
import type { ProfileCatalog } from '@codex-team/policy-engine';
import { readMigrations } from '../migrations';
import type { TeamStoreReader } from '../sqlite-team-store';
import { redactStoreLocation } from '../store-location';
import { defaultPgMigrationsDir } from './pg-migrations';
import { checkPostgresStore, connectPostgresStore, postgresUnreachable } from './pg-store-check';
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
