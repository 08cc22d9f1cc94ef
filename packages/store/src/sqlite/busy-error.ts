/**
 * How the store tells a driver error that means "another connection holds the lock" (SQLite's or
 * PostgreSQL's) from any other: the transaction runner, the busy slice, the openers and the write
 * ceiling all ask here.
 */

// Not `instanceof Error`: errors made by the native addon may come from another realm (Jest's VM).
export function storeErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/**
 * PostgreSQL's SQLSTATEs that mean the same as SQLite's busy: lock_not_available (the write lock
 * stayed taken past lock_timeout, the busy slice), serialization_failure, deadlock_detected.
 */
export const PG_BUSY_STATES: ReadonlySet<string> = new Set(['55P03', '40001', '40P01']);

/** The code of claimConflict's error. */
const CLAIM_CONFLICT = 'CLAIM_CONFLICT';

/**
 * The error of a claim that finds what it would claim held by another claim (`what`: the task it
 * names, or every task it may claim). Only PostgreSQL's claims run side by side: its runner tries
 * the whole call again, as after a busy lock (PgTransactionRunner). SQLite's one writer never sees
 * it; there it is an internal error.
 */
export function claimConflict(what: string): Error {
  return Object.assign(new Error(`${what} is held by a concurrent claim`), { code: CLAIM_CONFLICT });
}

/** Whether `error` is claimConflict's. */
export function isClaimConflict(error: unknown): boolean {
  return storeErrorCode(error) === CLAIM_CONFLICT;
}

/** SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED... (or PG_BUSY_STATES): another connection holds the lock. */
export function isBusyError(error: unknown): boolean {
  const code = storeErrorCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || PG_BUSY_STATES.has(code));
}
