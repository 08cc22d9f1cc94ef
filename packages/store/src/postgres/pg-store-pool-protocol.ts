import type { CodexThreadCap, PortableProfileCatalog } from '@codex-team/policy-engine';
import type { BusyRetryOptions } from '../sqlite/transaction';
import type { CallAuthorization, TeamStore } from '../team-store';
import type { SentStatement } from './pg-sync-connection';
import type { PgClaimLane } from './pg-transaction';

// What a pooled store (pg-store-pool.ts) and its threads (pg-store-pool-worker.ts) say to each other.

/** The store's methods a thread runs: every one but `queueAuthzDecision` (see PooledTeamStore) and `close`. */
export type PooledMethod = Exclude<keyof TeamStore, 'queueAuthzDecision' | 'close'>;

/** What each thread opens its store with: the opener's options that are plain data. */
export interface PoolWorkerData {
  url: string;
  schema?: string;
  time?: 'database' | 'clock';
  busyRetry?: Partial<BusyRetryOptions>;
  lockSliceMs?: number;
  migrationsDir?: string;
  codexThreadCap?: CodexThreadCap;
  claimLane?: PgClaimLane;
  rankClaims?: boolean;
  existingOnly?: boolean;
  profiles?: PortableProfileCatalog;
  /** The opener gave a clock or ids of its own: the thread asks for each reading (PoolQuestion). */
  askClock: boolean;
  askIds: boolean;
  /** The opener listens: the thread sends its decisions and round trips (PoolReport). */
  logs: boolean;
  roundTrips: boolean;
  /** Where the thread's questions are answered: ANSWER_FLAG, then the answer (ANSWER_NUMBER or ANSWER_TEXT). */
  answer: SharedArrayBuffer;
}

/** The answer buffer: an Int32 flag (1 once answered) and the text's length, a Float64, then UTF-8 text. */
export const ANSWER_FLAG = 0;
export const ANSWER_TEXT_LENGTH = 1;
export const ANSWER_NUMBER_OFFSET = 8;
export const ANSWER_TEXT_OFFSET = 16;
export const ANSWER_BYTES = 16 + 256;

/** Asked by a thread, which then blocks until the opener's thread answers in the shared buffer. */
export type PoolQuestion = { type: 'now' } | { type: 'id'; prefix: string };

/** A TeamError, or any other error, as data. */
export type PoolError = { team: { code: string; reason: string; details?: Record<string, unknown>; refusal: unknown } } | { other: { name: string; message: string } };

/** From the opener to a thread. */
export type PoolRequest = { type: 'call'; id: number; method: PooledMethod; args: unknown[] } | { type: 'queue-decision'; input: unknown } | { type: 'close' };

/** From a thread to the opener. */
export type PoolReport =
  | PoolQuestion
  | { type: 'opened' }
  | { type: 'open-failed'; error: PoolError }
  | { type: 'result'; id: number; value: unknown; recorded: CallAuthorization['recorded'][] }
  | { type: 'failed'; id: number; error: PoolError; recorded: CallAuthorization['recorded'][] }
  | { type: 'log'; fields: Record<string, unknown>; message: string }
  | { type: 'round-trip'; statements: SentStatement[] }
  | { type: 'closed' };

/**
 * Buffers cross threads as plain Uint8Arrays: makes each a Buffer again, in place in the arrays
 * and objects that hold it (a checkpoint's state is a Buffer).
 */
export function revivingBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) value[index] = revivingBuffers(item);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = revivingBuffers(record[key]);
  }
  return value;
}

/**
 * The call authorizations among a call's arguments (an actor's, an input's), in one fixed order. The
 * store fills in `recorded` once the call's decision is written; a thread sends back what it filled
 * in, and the opener sets it on the caller's own objects, found in the same order.
 */
export function authorizationsIn(args: readonly unknown[]): CallAuthorization[] {
  const found: CallAuthorization[] = [];
  for (const arg of args) {
    if (typeof arg !== 'object' || arg === null) continue;
    const authorization = (arg as { authorization?: unknown }).authorization;
    if (typeof authorization === 'object' && authorization !== null && 'recorded' in authorization) found.push(authorization as CallAuthorization);
  }
  return found;
}
