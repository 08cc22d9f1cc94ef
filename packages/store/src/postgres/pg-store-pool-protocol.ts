import { isTeamError } from '@codex-team/contracts';
import type { PortableProfileCatalog } from '@codex-team/policy-engine';
import type { CallAuthorization, TeamStore } from '../team-store';
import type { PostgresTeamStoreOptions } from './pg-team-store';
import type { SentStatement } from './pg-sync-connection';

// What a pooled store (pg-store-pool.ts) and its threads (pg-store-pool-worker.ts) say to each other.

/** The store's methods a thread runs: every one but `queueAuthzDecision` (see openPooledPostgresTeamStore) and `close`. */
export type PooledMethod = Exclude<keyof TeamStore, 'queueAuthzDecision' | 'close'>;

/** The opener's options that are plain data: each thread opens its store with them as they are. */
export type PlainStoreOptions = Omit<PostgresTeamStoreOptions, 'clock' | 'ids' | 'profiles' | 'logger' | 'onRoundTrip'>;

export interface PoolWorkerData {
  store: PlainStoreOptions;
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

/**
 * The answer buffer: an Int32 flag (1 once answered) and the text's length (ANSWER_FAILED when the
 * opener's clock or ids threw), a Float64, then UTF-8 text of at most ANSWER_TEXT_BYTES.
 */
export const ANSWER_FLAG = 0;
export const ANSWER_TEXT_LENGTH = 1;
export const ANSWER_FAILED = -1;
export const ANSWER_NUMBER_OFFSET = 8;
export const ANSWER_TEXT_OFFSET = 16;
export const ANSWER_TEXT_BYTES = 256;
export const ANSWER_BYTES = ANSWER_TEXT_OFFSET + ANSWER_TEXT_BYTES;
/** How long a thread waits for its question's answer before it gives the call up. */
export const ANSWER_WAIT_MS = 10_000;

/** Asked by a thread, which then blocks until the opener's thread answers in the shared buffer. */
export type PoolQuestion = { type: 'now' } | { type: 'id'; prefix: string };

/** A TeamError, or any other error, as data. */
export type PoolError =
  | { team: { code: string; reason: string; details?: Record<string, unknown>; refusal: unknown } }
  | { other: { name: string; message: string; stack?: string } };

/**
 * From the opener to a thread. A call carries when its tool call started counting against its busy
 * deadline (busyDeadlineStart), so the thread goes on counting from there, queueing included.
 */
export type PoolRequest =
  | { type: 'call'; id: number; method: PooledMethod; args: unknown[]; deadlineStart: number | null }
  | { type: 'queue-decision'; input: unknown }
  | { type: 'close' };

/** From a thread to the opener. */
export type PoolReport =
  | PoolQuestion
  | { type: 'opened' }
  | { type: 'open-failed'; error: PoolError }
  /**
   * A call's outcome. `lost`: the store's connection has failed for good since (the opener stops
   * routing to the thread before it settles the call; the thread's other calls fail at once).
   */
  | { type: 'result'; id: number; value: unknown; recorded: CallAuthorization['recorded'][]; lost: boolean }
  | { type: 'failed'; id: number; error: PoolError; recorded: CallAuthorization['recorded'][]; lost: boolean }
  | { type: 'log'; fields: Record<string, unknown>; message: string }
  | { type: 'round-trip'; statements: SentStatement[] }
  | { type: 'closed'; error: PoolError | null };

/** Arguments hold authorizations at most this deep: `actor.authorization`, `options.actor.authorization`. */
const AUTHORIZATION_DEPTH = 3;

/**
 * The call authorizations among a call's arguments (an actor's, an input's, an options' actor's),
 * in one fixed order. The store fills in `recorded` once the call's decision is written; a thread
 * sends back what it filled in, and the opener sets it on the caller's own objects, found in the
 * same order.
 */
export function authorizationsIn(value: unknown, depth = AUTHORIZATION_DEPTH): CallAuthorization[] {
  if (depth < 0 || typeof value !== 'object' || value === null || value instanceof Uint8Array) return [];
  if (Object.hasOwn(value, 'decision') && Object.hasOwn(value, 'recorded')) return [value as CallAuthorization];
  return Object.values(value).flatMap((each) => authorizationsIn(each, depth - 1));
}

/** An error as data for the other side (asError rebuilds it). */
export function errorAsData(error: unknown): PoolError {
  if (isTeamError(error)) return { team: { code: error.code, reason: error.reason, ...(error.details === undefined ? {} : { details: error.details }), refusal: error.refusal } };
  if (error instanceof Error) return { other: { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) } };
  return { other: { name: 'Error', message: String(error) } };
}
