import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { inspectStoreFile, makeDirectory } from '../store-file';
import { sqliteDatabase } from './native-sqlite';
import { openFailure } from './open-failure';
import { DEFAULT_BUSY_RETRY, DEFAULT_BUSY_SLICE_MS, withBusyRetry, type BusyRetryOptions } from './transaction';

/** How a SQLite file is opened; the store and its benchmark ceiling share these settings. */
export interface OpenDatabaseOptions {
  /** SQLite's busy_timeout: how long one attempt blocks waiting for a lock, in milliseconds. @default 500 (DEFAULT_BUSY_SLICE_MS) */
  busyTimeoutMs?: number;
  /** How long to wait out other processes holding the file's lock. @default DEFAULT_BUSY_RETRY */
  busyRetry?: BusyRetryOptions;
  /**
   * Looks at the opened file before the first pragma, reading only, and throws to refuse it
   * untouched (the store refuses another application's database with NOT_A_STORE).
   */
  guard?: (db: Database.Database) => void;
  /** Create the missing folders of a file that does not exist yet (the store does). @default false */
  createFolders?: boolean;
}

/**
 * The one way a SQLite file is opened for writing. Before SQLite touches the path, `fs` alone
 * refuses a folder, a device and a file that is not SQLite (NOT_A_STORE), and, with
 * `createFolders`, a missing file's folders are created (FILE_ACCESS when they cannot be). Then it
 * runs `guard`, sets the store's settings (WAL, synchronous=FULL, foreign keys) and runs `setup`
 * (migrations, a scratch table), all in one attempt under the store's busy retry: switching a
 * fresh file to WAL needs a moment of exclusive access, and another process opening the same file
 * at once can make it busy without SQLite waiting out its busy_timeout. When the retries run out
 * the caller gets `BUSY`; a file that cannot be opened or written is FILE_ACCESS naming it
 * (openFailure). The connection is closed on every failure.
 */
export async function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
  setup: (db: Database.Database) => void = () => undefined,
): Promise<Database.Database> {
  const file = path === ':memory:' ? null : inspectStoreFile(path);
  if (file?.kind === 'missing' && options.createFolders === true) makeDirectory(dirname(path));
  let db: Database.Database;
  try {
    db = new (sqliteDatabase())(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_SLICE_MS });
  } catch (error) {
    throw openFailure(path, error, 'open');
  }
  try {
    await withBusyRetry(() => {
      options.guard?.(db);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      setup(db);
    }, options.busyRetry ?? DEFAULT_BUSY_RETRY);
  } catch (error) {
    db.close();
    throw openFailure(path, error, 'open');
  }
  return db;
}
