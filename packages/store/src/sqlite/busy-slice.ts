import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { isBusyError } from './busy-error';

/** The busy slice of a write attempt made while this process has just met a held lock. */
export const SHORT_BUSY_SLICE_MS = 50;

/**
 * How long SQLite may block the process on one write attempt (the connection's busy_timeout), chosen
 * per attempt. Normally the connection's own slice (DEFAULT_BUSY_SLICE_MS): SQLite's lock is not
 * fair, and a short slice gives up on waits that were about to end. But within one such slice of a
 * write that found the lock held past its slice, attempts get SHORT_BUSY_SLICE_MS: when the lock is
 * held for long (another process in a long transaction), the first attempt waits out a whole slice
 * and the rest, of this call and of every other call of the process, each block the event loop for
 * a short one, so the process answers between them instead of queueing long blocks back to back.
 */
export class BusySlice {
  private readonly longMs: number;
  private currentMs: number;
  private lastBusyAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly db: Database.Database) {
    this.longMs = Number(db.pragma('busy_timeout', { simple: true }));
    this.currentMs = this.longMs;
  }

  /** Runs one write attempt under the slice the moment calls for; a busy failure shortens the next ones. */
  attempt<T>(work: () => T): T {
    const wanted = performance.now() - this.lastBusyAt < this.longMs ? Math.min(this.longMs, SHORT_BUSY_SLICE_MS) : this.longMs;
    if (wanted !== this.currentMs) {
      this.db.pragma(`busy_timeout = ${wanted}`);
      this.currentMs = wanted;
    }
    try {
      return work();
    } catch (error) {
      if (isBusyError(error)) this.lastBusyAt = performance.now();
      throw error;
    }
  }
}
