import Database from 'better-sqlite3';
import { DEFAULT_BUSY_RETRY, withBusyRetry, type BusyRetryOptions } from './transaction';

/** How a SQLite file is opened; the store and its benchmark ceiling share these settings. */
export interface OpenDatabaseOptions {
  /** SQLite's busy_timeout: how long a statement waits for a lock, in milliseconds. @default 5000 */
  busyTimeoutMs?: number;
  /** How long to wait out other processes holding the file's lock. @default DEFAULT_BUSY_RETRY */
  busyRetry?: BusyRetryOptions;
}

/**
 * Opens `path` with the store's settings (WAL, synchronous=FULL, foreign keys) and runs `setup`
 * (migrations, a scratch table) in the same attempt, under the store's busy retry: switching a
 * fresh file to WAL needs a moment of exclusive access, and another process opening the same file
 * at once can make it busy without SQLite waiting out its busy_timeout. When the retries run out
 * the caller gets `BUSY` and the connection is closed.
 */
export async function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
  setup: (db: Database.Database) => void = () => undefined,
): Promise<Database.Database> {
  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    await withBusyRetry(() => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      setup(db);
    }, options.busyRetry ?? DEFAULT_BUSY_RETRY);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
