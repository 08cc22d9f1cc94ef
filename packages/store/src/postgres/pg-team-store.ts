import type { Clock, IdGenerator } from '@codex-team/contracts';
import { ProfileCatalog, type CodexThreadCap } from '@codex-team/policy-engine';
import { readMigrations } from '../migrations';
import * as decisions from '../sqlite/authz-ops';
import { DEFAULT_BUSY_RETRY, type BusyRetryOptions } from '../sqlite/transaction';
import { ClaimRankCache } from '../sqlite/claim-ranks';
import { SqliteTeamStore, decisionLog, type DecisionLogger } from '../sqlite-team-store';
import { defaultPgMigrationsDir, migratePostgres } from './pg-migrations';
import { connectPostgresStore, noPostgresStore, readPostgresStore } from './pg-store-check';
import { PgSyncConnection, type SentStatement } from './pg-sync-connection';
import { PgSql, PgTransactionRunner, type PgClaimLane } from './pg-transaction';

/**
 * How long one write blocks the process waiting for the write lock (lock_timeout) before it rolls
 * back and pauses asynchronously (SQLite's busy slice). Longer than SQLite's 50 ms: PostgreSQL
 * hands its lock over in the order asked, so waiting in its queue loses no time to pauses.
 */
export const DEFAULT_PG_LOCK_SLICE_MS = 2000;

export interface PostgresTeamStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** The schema the store's tables live in (search_path): tests give each store its own. @default the user's search_path */
  schema?: string;
  clock: Clock;
  ids: IdGenerator;
  /**
   * Where each operation's one time comes from: `database` reads the database's clock at the start
   * of the transaction (leases are judged by one clock whichever host writes); `clock` uses
   * `clock` (tests that move a fake clock). @default 'database'
   */
  time?: 'database' | 'clock';
  /** @default DEFAULT_BUSY_RETRY: a 20 s deadline */
  busyRetry?: Partial<BusyRetryOptions>;
  /** @default DEFAULT_PG_LOCK_SLICE_MS */
  lockSliceMs?: number;
  /** @default the package's migrations-pg/ */
  migrationsDir?: string;
  /** @default ProfileCatalog.shipped() */
  profiles?: ProfileCatalog;
  codexThreadCap?: CodexThreadCap;
  logger?: DecisionLogger;
  /** How a team's claims take the write locks; only tests choose another (PgClaimLane). @default 'side-by-side' */
  claimLane?: PgClaimLane;
  /** Whether claims rank by critical path (as SqliteTeamStoreOptions.rankClaims). @default true */
  rankClaims?: boolean;
  /**
   * Called with the statements of each round trip the store makes, as sent (PostgreSQL's text, the
   * bound values; several when pipelined): the pg-store benchmark replays them without the store,
   * as the ceiling of the same SQL.
   */
  onRoundTrip?: (statements: SentStatement[]) => void;
  /**
   * Open only a database that already holds a codex-team store (an operator's verbs): one without
   * is refused with NOT_A_STORE and left as it was, instead of getting a new store. @default false
   */
  existingOnly?: boolean;
}

/**
 * Opens the TeamStore on a PostgreSQL database: applies pending migrations (migrations-pg, under
 * an advisory lock; a store with none pending is only read, so a role without CREATE opens it),
 * then runs the very operations of the SQLite store, each one transaction, on a connection of its
 * own (PgSyncConnection). Throws `SCHEMA_MISMATCH` as the SQLite opener does,
 * `FILE_ACCESS` when the database cannot be reached, `NOT_A_STORE` for another application's
 * `schema_migrations` table, and with `existingOnly` for a database that holds no codex-team store.
 */
export async function openPostgresTeamStore(options: PostgresTeamStoreOptions): Promise<SqliteTeamStore> {
  const migrations = readMigrations(options.migrationsDir ?? defaultPgMigrationsDir());
  const admin = await connectPostgresStore(options.url, options.schema);
  try {
    const found = await readPostgresStore(admin, migrations, options.url);
    if (found === null && options.existingOnly === true) throw noPostgresStore(options.url);
    // A current store is not touched: a role that may only read and write its rows (no CREATE) opens it.
    if (found === null || found.pending.length > 0) await migratePostgres(admin, migrations, options.clock.now());
  } finally {
    await admin.end();
  }
  const connection = new PgSyncConnection(options.url, {
    ...(options.schema === undefined ? {} : { searchPath: options.schema }),
    ...(options.onRoundTrip === undefined ? {} : { onRoundTrip: options.onRoundTrip }),
  });
  return postgresTeamStoreOn(connection, options);
}

/** The store's operations over `connection`, whose database holds the current schema: one place for both openers. */
export function postgresTeamStoreOn(connection: PgSyncConnection, options: PostgresTeamStoreOptions): SqliteTeamStore {
  const now = (): number => options.clock.now();
  const claimRanks = (options.rankClaims ?? true) ? new ClaimRankCache() : null;
  const tx = new PgTransactionRunner(
    new PgSql(connection, options.claimLane ?? 'side-by-side'),
    options.time === 'clock' ? { kind: 'clock', now } : { kind: 'database' },
    options.ids,
    { ...DEFAULT_BUSY_RETRY, ...options.busyRetry },
    options.lockSliceMs ?? DEFAULT_PG_LOCK_SLICE_MS,
    options.profiles ?? ProfileCatalog.shipped(),
    options.codexThreadCap,
    decisionLog(options.logger),
    decisions.recordCallDecision,
    claimRanks,
  );
  return new SqliteTeamStore(connection, tx, now, claimRanks);
}
