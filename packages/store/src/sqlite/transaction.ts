import type Database from 'better-sqlite3';
import { TeamError, type IdGenerator } from '@codex-team/contracts';
import type { TeamPolicy } from '../team-policy';

/** How a store call waits out other writers that hold the database lock. */
export interface BusyRetryOptions {
  /**
   * Attempts per call before answering `BUSY`; each attempt already waits up to `busy_timeout`
   * inside SQLite.
   * @default 6
   */
  attempts: number;
  /** First pause between attempts; doubles each time, with full jitter. @default 20 */
  baseDelayMs: number;
  /** Longest pause between attempts. @default 1000 */
  maxDelayMs: number;
}

export const DEFAULT_BUSY_RETRY: BusyRetryOptions = { attempts: 6, baseDelayMs: 20, maxDelayMs: 1_000 };

/** Run a passive WAL checkpoint after this many commits so the WAL file does not grow unbounded. */
const CHECKPOINT_EVERY_COMMITS = 500;

type AnyStatement = Database.Statement<unknown[], unknown>;

/**
 * Prepared statements keyed by their (constant) SQL text. Every query of the adapter is a literal,
 * parameters are always bound, so the cache stays small and no SQL is built from input.
 */
export class Sql {
  private readonly statements = new Map<string, AnyStatement>();
  // pluck() switches a statement's mode for good, so single-value statements are kept apart.
  private readonly plucked = new Map<string, AnyStatement>();

  constructor(readonly db: Database.Database) {}

  private prepare(text: string, pluck = false): AnyStatement {
    const cache = pluck ? this.plucked : this.statements;
    let statement = cache.get(text);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], unknown>(text);
      if (pluck) statement.pluck();
      cache.set(text, statement);
    }
    return statement;
  }

  get<Row>(text: string, ...params: unknown[]): Row | undefined {
    return this.prepare(text).get(...params) as Row | undefined;
  }

  all<Row>(text: string, ...params: unknown[]): Row[] {
    return this.prepare(text).all(...params) as Row[];
  }

  /** A single value of the first column (COUNT, MAX...). */
  value<T>(text: string, ...params: unknown[]): T | undefined {
    return this.prepare(text, true).get(...params) as T | undefined;
  }

  run(text: string, ...params: unknown[]): Database.RunResult {
    return this.prepare(text).run(...params);
  }
}

/** What one domain operation sees: the statements, the one time of the operation, and ids. */
export interface Op {
  sql: Sql;
  /** Clock time read once at the start of the transaction: every write of the operation uses it. */
  now: number;
  ids: IdGenerator;
  /** The teams' policy, consulted inside the transaction with its facts. */
  policy: TeamPolicy;
}

// Not `instanceof Error`: errors made by the native addon may come from another realm (Jest's VM).
function sqliteCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED...: another connection holds the lock. */
export function isBusyError(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (a whole transaction, or the opening of the file) and runs it again after a
 * jittered pause while SQLite answers busy; the pause is awaited outside any transaction. When
 * attempts run out the caller gets `BUSY` and nothing has changed.
 */
export async function withBusyRetry<T>(attempt: () => T, retry: BusyRetryOptions): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusyError(error)) throw translateConstraint(error);
      if (tries >= retry.attempts) {
        throw new TeamError('BUSY', `the store stayed locked by other writers after ${tries} attempts; nothing changed`, {
          attempts: tries,
        });
      }
      const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (tries - 1));
      // Full jitter: processes that collided once should not wake up together again.
      await sleep(Math.random() * ceiling);
    }
  }
}

/**
 * Runs domain operations as single transactions. Writes use `BEGIN IMMEDIATE`: a deferred
 * transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT under concurrent writers
 * (see FACTS), while IMMEDIATE takes the write lock first and waits for it in `busy_timeout`.
 * When the lock stays taken past that, the whole transaction is retried (withBusyRetry).
 */
export class TransactionRunner {
  private commits = 0;
  /** One transaction function for every operation: better-sqlite3 builds its wrappers once. */
  private readonly inTransaction: Database.Transaction<(work: (op: Op) => unknown) => unknown>;

  constructor(
    private readonly sql: Sql,
    private readonly now: () => number,
    private readonly ids: IdGenerator,
    private readonly retry: BusyRetryOptions,
    private readonly policy: TeamPolicy,
  ) {
    this.inTransaction = sql.db.transaction((work: (op: Op) => unknown) => work(this.op()));
  }

  /** One write transaction; `work` must be synchronous (never await inside a transaction). */
  async write<T>(work: (op: Op) => T): Promise<T> {
    const result = (await withBusyRetry(() => this.inTransaction.immediate(work), this.retry)) as T;
    this.afterCommit();
    return result;
  }

  /** One consistent read (a deferred transaction is a single snapshot in WAL mode). */
  async read<T>(work: (op: Op) => T): Promise<T> {
    return (await withBusyRetry(() => this.inTransaction.deferred(work), this.retry)) as T;
  }

  private op(): Op {
    return { sql: this.sql, now: this.now(), ids: this.ids, policy: this.policy };
  }

  private afterCommit(): void {
    this.commits += 1;
    if (this.commits % CHECKPOINT_EVERY_COMMITS !== 0) return;
    try {
      this.sql.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      // A checkpoint is housekeeping: a busy one is simply tried again after the next batch.
      if (!isBusyError(error)) throw error;
    }
  }
}

/**
 * Every uniqueness rule is checked before writing; a UNIQUE violation can still come from a
 * concurrent twin of the same request (e.g. equal ticket hashes) and means the same thing.
 */
function translateConstraint(error: unknown): unknown {
  if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new TeamError('CONFLICT', `the store refused a duplicate: ${String(error)}`);
  }
  return error;
}
