import { performance } from 'node:perf_hooks';
import { openDatabase } from './sqlite/open-database';
import { isBusyError } from './sqlite/busy-error';

/** What one process of the raw write ceiling did. */
export interface WriteCeilingRun {
  /** Wall time of each committed transaction, in milliseconds (busy waits included). */
  latenciesMs: number[];
  /** Transactions that met SQLITE_BUSY past the busy slice (busy_timeout) and were run again at once. */
  busyRetries: number;
}

/**
 * The baseline of the claim benchmark: `count` bare `BEGIN IMMEDIATE` transactions, each inserting
 * one small row, on a scratch SQLite file opened exactly as the store opens its own (WAL,
 * synchronous=FULL, the store's busy slice, the store's busy retry around the opening: see
 * openDatabase). No checks, no audit, no domain logic: what SQLite and the disk allow, measured in
 * the same run as the store. Lives in the store because only the store loads better-sqlite3.
 */
export async function runWriteCeiling(path: string, worker: string, count: number): Promise<WriteCeilingRun> {
  const db = await openDatabase(path, {}, (opened) =>
    opened.exec('CREATE TABLE IF NOT EXISTS write_ceiling (seq INTEGER PRIMARY KEY, worker TEXT NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL)'),
  );
  try {
    const insert = db.prepare('INSERT INTO write_ceiling (worker, n, at) VALUES (?, ?, ?)');
    const write = db.transaction((n: number) => insert.run(worker, n, Date.now()));
    const latenciesMs: number[] = [];
    let busyRetries = 0;
    for (let n = 0; n < count; n += 1) {
      const started = performance.now();
      for (;;) {
        try {
          write.immediate(n);
          break;
        } catch (error) {
          if (!isBusyError(error)) throw error;
          busyRetries += 1;
        }
      }
      latenciesMs.push(performance.now() - started);
    }
    return { latenciesMs, busyRetries };
  } finally {
    db.close();
  }
}
