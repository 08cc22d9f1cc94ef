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
const PG_BUSY_STATES: ReadonlySet<string> = new Set(['55P03', '40001', '40P01']);

/** The code of claimConflict's error: another claim took the task between the pick and the update. */
const CLAIM_CONFLICT = 'CLAIM_CONFLICT';

/**
 * The error of a claim whose guarded UPDATE found its task no longer ready. On PostgreSQL claims of
 * one team run side by side (PgTransactionRunner's claim lane), so another claim may have taken a
 * task this one picked without locking it (a task others wait on); the transaction is rolled back
 * and tried again like a busy one, and the next attempt picks again. SQLite's one writer never sees it.
 */
export function claimConflict(taskId: string): Error {
  return Object.assign(new Error(`task ${taskId} was claimed by a concurrent claim; trying again`), { code: CLAIM_CONFLICT });
}

/** SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED... (or PG_BUSY_STATES, or a claim conflict): another connection holds the lock. */
export function isBusyError(error: unknown): boolean {
  const code = storeErrorCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || PG_BUSY_STATES.has(code) || code === CLAIM_CONFLICT);
}
