import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import { TeamError, isTeamError, type IdGenerator, type Profile } from '@codex-team/contracts';
import type { CodexThreadCap, ProfileCatalog } from '@codex-team/policy-engine';
import type { CallAuthorization } from '../team-store';
import { isBusyError, storeErrorCode } from './busy-error';
import { BusySlice } from './busy-slice';
import type { ClaimRankCache } from './claim-ranks';

/**
 * How a store call waits out other writers that hold the database lock: SQLite blocks for at most
 * one short busy slice (the connection's busy_timeout, DEFAULT_BUSY_SLICE_MS), then the call pauses
 * asynchronously, leaving the event loop free for other calls (pings, reads), and tries again until
 * its deadline; then it answers `BUSY` with nothing changed.
 */
export interface BusyRetryOptions {
  /**
   * How long one call may wait for the lock in all, in milliseconds: well inside a client's tool
   * timeout (Codex: tool_timeout_sec, 60 s by default), so the client hears BUSY rather than a timeout.
   * @default 20000
   */
  deadlineMs: number;
  /** First pause between attempts; doubles each time, with full jitter. @default 5 */
  baseDelayMs: number;
  /** Longest pause between attempts. @default 100 */
  maxDelayMs: number;
}

export const DEFAULT_BUSY_RETRY: BusyRetryOptions = { deadlineMs: 20_000, baseDelayMs: 5, maxDelayMs: 100 };

/**
 * SQLite's busy_timeout for every store connection: how long one attempt may block the process
 * (the event loop) waiting for a lock before the call pauses asynchronously and tries again.
 * SQLite's lock is not fair: a waiter polls while the holder commits and begins again at once, so a
 * short slice gives up on waits that would have ended soon and puts the call behind the others
 * (claim-throughput, 4 processes: claim p99 88-108 ms at 50 ms, 20-28 ms at 250-300, 2.5 ms at
 * 500; 500 is the knee). Half a second is the longest the event loop is held: once a write
 * found the lock held past it, the process's next attempts take short slices (BusySlice).
 */
export const DEFAULT_BUSY_SLICE_MS = 500;

/** Run a passive WAL checkpoint after this many commits so the WAL file does not grow unbounded. */
const CHECKPOINT_EVERY_COMMITS = 500;

type AnyStatement = Database.Statement<unknown[], unknown>;

/** What a statement that writes reports: the rows it changed and the seq of the last row it inserted. */
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * The statements of a domain operation, in SQLite's dialect (the engine the store began on): `?`
 * and `@name` parameters, bound, never built from input. Every engine runs them synchronously
 * inside the operation's transaction: SqliteSql directly, PostgreSQL's PgSql through its
 * translation (postgres/pg-dialect) and a blocking bridge (postgres/pg-sync-connection).
 */
export interface Sql {
  get<Row>(text: string, ...params: unknown[]): Row | undefined;
  all<Row>(text: string, ...params: unknown[]): Row[];
  /** A single value of the first column (COUNT, MAX...). */
  value<T>(text: string, ...params: unknown[]): T | undefined;
  run(text: string, ...params: unknown[]): RunResult;
}

/**
 * Prepared statements keyed by their (constant) SQL text. Every query of the adapter is a literal,
 * parameters are always bound, so the cache stays small and no SQL is built from input.
 */
export class SqliteSql implements Sql {
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

  value<T>(text: string, ...params: unknown[]): T | undefined {
    return this.prepare(text, true).get(...params) as T | undefined;
  }

  run(text: string, ...params: unknown[]): RunResult {
    return this.prepare(text).run(...params);
  }
}

/** One decision a store operation applied, as it is logged: the rule, its inputs and the outcome. */
export interface AppliedDecision {
  teamId: string;
  profile: string;
  rule: string;
  inputs: Readonly<Record<string, unknown>>;
  /** `allow`, `deny`, or what was done (`retire`, `charged`...). */
  outcome: string;
  reason: string;
}

/** Who a recorded call decision is about, when the operation learns it (binding operations do). */
export interface DecisionSubject {
  teamId: string;
  agentId: string;
  role: string;
}

/** What one domain operation sees: the statements, the one time of the operation, and ids. */
export interface Op {
  sql: Sql;
  /** Clock time read once at the start of the transaction: every write of the operation uses it. */
  now: number;
  ids: IdGenerator;
  /** The team's profile by name, from the profiles the store was opened with; NOT_FOUND when unknown. */
  profileOf(name: string): Profile;
  /** Codex's own thread cap, when the store was opened with it (SqliteTeamStoreOptions.codexThreadCap). */
  readonly codexThreadCap: CodexThreadCap | undefined;
  /** The process's claim ranks when claims rank by critical path; null when not (SqliteTeamStoreOptions.rankClaims). */
  readonly claimRanks: ClaimRankCache | null;
  /** Logs one decision the operation applied (see SqliteTeamStoreOptions.logger). */
  decided(decision: AppliedDecision): void;
  /** True inside a write (IMMEDIATE) transaction; a read transaction must not write. */
  readonly writable: boolean;
  /**
   * The operator runs this operation from the shell (codex-team finalize, cancel, send): every
   * audit event it appends has actor kind `operator` and no acting agent. @default false
   */
  byOperator: boolean;
  /** Seqs of the audit events this transaction appended, in order. */
  readonly auditSeqs: number[];
  /** Binding operations (start, join, resume) name the agent the call's decision is about. */
  subject: DecisionSubject | null;
  /**
   * Runs `work` in this write transaction if, and only if, the operation is refused: after its own
   * writes are rolled back, before the call's decision is recorded (a policy refusal's audit event).
   */
  onRefusal(work: () => void): void;
  /**
   * Runs `work` in this write transaction if, and only if, the operation succeeds: after its own
   * writes, before the call's decision is recorded (the heartbeat a call renews).
   */
  onSuccess(work: () => void): void;
  /** Runs `work` once this write transaction has committed. */
  afterCommit(work: () => void): void;
}

/** A write of one call: what it may carry besides the operation. */
export interface WriteOptions {
  /**
   * Commits without waiting for the disk (synchronous=NORMAL, for this commit only): the write
   * survives a crash of any process and reaches the disk with the next full commit or checkpoint;
   * only a power cut before that can lose it. Only records that change no state may use it.
   * @default 'full'
   */
  sync?: 'full' | 'normal';
  /**
   * The call's allow decision: recorded as this transaction's last write with the call's real
   * outcome (`ok`, or the code of its refusal), so one call leaves exactly one decision record.
   */
  authorization?: CallAuthorization;
  /**
   * The team the call acts for, when it has one. On PostgreSQL the write takes that team's tree
   * lock instead of the whole database's (PgTransactionRunner); SQLite has one writer either way.
   */
  team?: string;
  /**
   * The agent whose claim this write is (team_task_next, or a claim by id). On PostgreSQL a team's
   * claims run side by side, one per agent at a time (PgTransactionRunner's claim lane); SQLite has
   * one writer either way.
   */
  claimBy?: string;
  /**
   * What the call is (its operation and actor). On PostgreSQL the reads the same call began with
   * last time are sent ahead in its first round trip (PgSql); SQLite reads in process and ignores it.
   */
  readAheadKey?: string;
  /**
   * Writes that stand even when the operation is refused (the usage a call reports: the tokens were
   * spent either way). They run first; if they themselves refuse, the operation does not run.
   */
  standing?: (op: Op) => void;
  /**
   * Whether the write waits out other writers (up to the deadline) or makes one attempt and answers
   * BUSY at once (a best-effort write beside a read, see HeartbeatRequest.bestEffort).
   * @default true
   */
  waitForLock?: boolean;
}

/** What a write transaction does with a refused call's decision and the operation's refusal. */
export type RecordDecision = (op: Op, authorization: CallAuthorization, refusal: TeamError | null) => void;

/** Failures of the store itself rather than of the call: they roll the whole transaction back. */
const STORE_FAILURES: ReadonlySet<string> = new Set(['BUSY', 'INTERNAL', 'STORE_MOVED', 'STORAGE_FULL']);

/** The store's own refusals (a TeamError that is no store failure): recorded, then answered. */
function isRefusal(error: unknown): error is TeamError {
  return isTeamError(error) && !STORE_FAILURES.has(error.code);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When the tool call in progress started (performance.now()), for the store calls it makes; moved
 * later by the time the call spent in work that is not the store's (notCountedAgainstBusyDeadline).
 */
const callStarts = new AsyncLocalStorage<{ started: number }>();

/**
 * Runs `work` (one tool call) so that every store call it makes shares one busy deadline, counted
 * from now: a call that makes several transactions (its operation, a heartbeat, its decision)
 * waits out other writers for BusyRetryOptions.deadlineMs in all, not for each of them.
 */
export function withinOneBusyDeadline<T>(work: () => Promise<T>): Promise<T> {
  return callStarts.run({ started: performance.now() }, work);
}

/**
 * Runs `work` (a call's lifecycle hooks: commands of the operator's that may take minutes) without
 * counting its time against the call's busy deadline: the deadline bounds waiting for the store's
 * lock, and a long hook must not leave the call's next transaction a single attempt. The store
 * calls `work` itself makes have a deadline each.
 */
export async function notCountedAgainstBusyDeadline<T>(work: () => Promise<T>): Promise<T> {
  const call = callStarts.getStore();
  const started = performance.now();
  try {
    return await callStarts.exit(work);
  } finally {
    if (call !== undefined) call.started += performance.now() - started;
  }
}

/**
 * When the tool call in progress started counting against its busy deadline, as a time every
 * thread reads alike (performance.timeOrigin + its start); null outside a call. A pooled store
 * hands it to the thread that runs the call (continuingBusyDeadline).
 */
export function busyDeadlineStart(): number | null {
  const call = callStarts.getStore();
  return call === undefined ? null : performance.timeOrigin + call.started;
}

/** Runs `work`, in another thread, as the rest of the call whose busy deadline started at `start` (busyDeadlineStart). */
export function continuingBusyDeadline<T>(start: number, work: () => Promise<T>): Promise<T> {
  return callStarts.run({ started: start - performance.timeOrigin }, work);
}

/** Runs `work` outside any call's deadline (a timer of the process, not of the call that set it). */
export function outsideCallDeadline<T>(work: () => T): T {
  return callStarts.exit(work);
}

/**
 * Runs `attempt` (a whole transaction, or the opening of the file) and runs it again after a
 * jittered pause while SQLite answers busy, until `retry.deadlineMs` has passed since the first
 * attempt, or since the tool call began (withinOneBusyDeadline); it always makes one attempt. The pause is awaited outside any transaction, so the process serves other calls
 * meanwhile. Past the deadline the caller gets `BUSY` and nothing has changed. Any other failure
 * is translated (translateStoreError) and thrown.
 */
export async function withBusyRetry<T>(attempt: () => T, retry: BusyRetryOptions): Promise<T> {
  const started = callStarts.getStore()?.started ?? performance.now();
  for (let tries = 1; ; tries += 1) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusyError(error)) throw translateStoreError(error);
      const waited = performance.now() - started;
      const left = retry.deadlineMs - waited;
      if (left <= 0) {
        throw new TeamError(
          'BUSY',
          `the store stayed locked by other writers for ${Math.round(waited)} ms (${tries} attempts); nothing changed, try again`,
          { attempts: tries, waited_ms: Math.round(waited), deadline_ms: retry.deadlineMs },
        );
      }
      const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(tries - 1, 20));
      // Full jitter: processes that collided once should not wake up together again.
      await sleep(Math.min(left, Math.random() * ceiling));
    }
  }
}

/**
 * How the store runs its domain operations, whatever the engine: each one a single transaction.
 * TransactionRunner is SQLite's; PgTransactionRunner (postgres/pg-transaction) PostgreSQL's.
 */
export interface Transactions {
  /** Runs `write` first inside every write transaction (the queued decision log, DecisionQueue). */
  beforeEachWrite(write: (op: Op) => void): void;
  /** One write transaction; `work` is synchronous (see TransactionRunner.write). */
  write<T>(work: (op: Op) => T, options?: WriteOptions): Promise<T>;
  /** Reads without a snapshot of their own (see TransactionRunner.readUnsnapshotted). */
  readUnsnapshotted<T>(work: (op: Op) => T): Promise<T>;
  /** One consistent read. */
  read<T>(work: (op: Op) => T): Promise<T>;
}

/** What every Op of a store shares: its statements, clock, ids, profiles and decision log. */
export interface OpContext {
  sql: Sql;
  ids: IdGenerator;
  profiles: ProfileCatalog;
  codexThreadCap: CodexThreadCap | undefined;
  log: (decision: AppliedDecision) => void;
  /** The process's claim ranks; null when claims do not rank (SqliteTeamStoreOptions.rankClaims). */
  claimRanks: ClaimRankCache | null;
}

/** The Op of one transaction that began at `now`; a read one refuses to schedule writes. */
export function newOp(
  context: OpContext,
  now: number,
  writable: boolean,
  refusalWrites: (() => void)[],
  after: (() => void)[],
  successWrites: (() => void)[] = [],
): Op {
  const refuse = (): never => {
    throw new TeamError('INTERNAL', 'a read transaction cannot schedule writes');
  };
  return {
    sql: context.sql,
    now,
    ids: context.ids,
    profileOf: (name) => context.profiles.find(name).profile,
    codexThreadCap: context.codexThreadCap,
    claimRanks: context.claimRanks,
    decided: context.log,
    writable,
    byOperator: false,
    auditSeqs: [],
    subject: null,
    onRefusal: writable ? (work) => refusalWrites.push(work) : refuse,
    onSuccess: writable ? (work) => successWrites.push(work) : refuse,
    afterCommit: writable ? (work) => after.push(work) : refuse,
  };
}

/**
 * The body of every write transaction, whatever the engine, run inside it: the first writes, the
 * standing writes, the operation (each in a savepoint: a refusal rolls back its writes only), the
 * refusal's or the success's own writes, and the call's decision. Returns the operation's value and
 * its refusal; the caller commits either way, then throws the refusal.
 */
export function writeBody<T>(
  context: OpContext,
  now: number,
  work: (op: Op) => T,
  options: WriteOptions,
  firstWrites: readonly ((op: Op) => void)[],
  recordDecision: RecordDecision,
  inSavepoint: (work: () => void) => void,
  after: (() => void)[],
): { value: T | undefined; refused: TeamError | null } {
  const refusalWrites: (() => void)[] = [];
  const successWrites: (() => void)[] = [];
  const op = newOp(context, now, true, refusalWrites, after, successWrites);
  for (const write of firstWrites) write(op);
  let refused: TeamError | null = null;
  let value: T | undefined;
  const attempt = (step: () => void): TeamError | null => {
    try {
      inSavepoint(step);
      return null;
    } catch (error) {
      if (isRefusal(error)) return error;
      throw error;
    }
  };
  if (options.standing !== undefined) refused = attempt(() => options.standing?.(op));
  if (refused === null) refused = attempt(() => (value = work(op)));
  if (refused !== null) for (const write of refusalWrites) write();
  else for (const write of successWrites) write();
  if (options.authorization !== undefined) recordDecision(op, options.authorization, refused);
  return { value, refused };
}

/**
 * Runs domain operations as single transactions. Writes use `BEGIN IMMEDIATE`: a deferred
 * transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT under concurrent writers
 * (see FACTS), while IMMEDIATE takes the write lock first and waits for it in `busy_timeout`.
 * When the lock stays taken past that, the whole transaction is retried (withBusyRetry).
 */
export class TransactionRunner implements Transactions {
  private commits = 0;
  private firstWrites: ((op: Op) => void)[] = [];
  // One wrapper for every transaction: each db.transaction() call builds five new functions, which
  // cost about 20 microseconds a transaction, and a tool call runs several.
  private readonly inTransaction: Database.Transaction<(body: () => unknown) => unknown>;
  private readonly context: OpContext;
  private readonly busySlice: BusySlice;

  constructor(
    private readonly sql: SqliteSql,
    private readonly now: () => number,
    ids: IdGenerator,
    private readonly retry: BusyRetryOptions,
    profiles: ProfileCatalog,
    codexThreadCap: CodexThreadCap | undefined,
    log: (decision: AppliedDecision) => void,
    private readonly recordDecision: RecordDecision,
    claimRanks: ClaimRankCache | null,
    /** The store's files as opened (StoreIdentity); null for a store in memory or a copy of one. */
    private readonly identity: { check(): void } | null = null,
  ) {
    this.inTransaction = sql.db.transaction((body: () => unknown) => body());
    this.context = { sql, ids, profiles, codexThreadCap, log, claimRanks };
    this.busySlice = new BusySlice(sql.db);
  }

  beforeEachWrite(write: (op: Op) => void): void {
    this.firstWrites = [...this.firstWrites, write];
  }

  /**
   * One write transaction; `work` must be synchronous (never await inside a transaction). A refusal
   * of the operation (a TeamError other than BUSY or INTERNAL) rolls back the operation's writes
   * only: the standing writes, the refusal's own records (onRefusal) and the call's decision still
   * commit, then the refusal is thrown. Anything else rolls the whole transaction back.
   */
  async write<T>(work: (op: Op) => T, options: WriteOptions = {}): Promise<T> {
    this.requireOpen();
    let refused: TeamError | null = null;
    const relaxed = options.sync === 'normal';
    const result = await withBusyRetry(() => this.busySlice.attempt(() => {
      // The pragma applies to the connection; better-sqlite3 runs the transaction synchronously,
      // so no other operation of this process can commit in between.
      if (relaxed) this.sql.db.pragma('synchronous = NORMAL');
      try {
        const after: (() => void)[] = [];
        const value = this.inTransaction.immediate(() => {
          // A transaction function called inside a transaction runs as a savepoint.
          const body = writeBody(this.context, this.now(), work, options, this.firstWrites, this.recordDecision, (step) => this.inTransaction(step), after);
          refused = body.refused;
          // Last, just before the commit: a store deleted or replaced meanwhile rolls it all back.
          this.identity?.check();
          return body.value;
        }) as T;
        // Committed: run the after-commit work before anything else of this process can start a
        // transaction, so a concurrent write never sees state the commit already settled (the
        // decision queue drained into it would be written twice).
        for (const done of after) done();
        return value;
      } finally {
        if (relaxed) this.sql.db.pragma('synchronous = FULL');
      }
    }), options.waitForLock === false ? { ...this.retry, deadlineMs: 0 } : this.retry);
    this.countCommit();
    if (refused !== null) throw refused;
    return result;
  }

  /**
   * Reads without an explicit transaction: each statement sees its own snapshot. Only for reads
   * whose answer is a hint that the operation it precedes checks again in its own transaction
   * (the session check before every tool call); it saves a BEGIN and a COMMIT on every call.
   */
  async readUnsnapshotted<T>(work: (op: Op) => T): Promise<T> {
    this.requireOpen();
    return withBusyRetry(() => this.checked(work(newOp(this.context, this.now(), false, [], []))), this.retry);
  }

  /** One consistent read (a deferred transaction is a single snapshot in WAL mode). */
  async read<T>(work: (op: Op) => T): Promise<T> {
    this.requireOpen();
    return withBusyRetry(() => this.inTransaction.deferred(() => this.checked(work(newOp(this.context, this.now(), false, [], [])))) as T, this.retry);
  }

  /** `value`, read from the store at the path: a read from a deleted or replaced file is STORE_MOVED. */
  private checked<T>(value: T): T {
    this.identity?.check();
    return value;
  }

  /** A closed store answers every call with one typed error instead of the driver's TypeError. */
  private requireOpen(): void {
    if (!this.sql.db.open) throw new TeamError('INTERNAL', 'the store is closed; nothing changed', { closed: true });
  }

  private countCommit(): void {
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
 * The store's one translation of driver failures into typed errors (busy ones are withBusyRetry's):
 * - a UNIQUE violation: every uniqueness rule is checked before writing, so one can only come from
 *   a concurrent twin of the same request (e.g. equal ticket hashes) and means the same: CONFLICT;
 * - SQLITE_FULL (the disk or file system is full, ENOSPC): STORAGE_FULL. SQLite rolled the
 *   transaction back (a WAL commit is one frame write: frames without their commit frame are
 *   ignored), so nothing was half-written.
 * Anything else passes unchanged.
 */
export function translateStoreError(error: unknown): unknown {
  const code = storeErrorCode(error);
  // 23505: PostgreSQL's unique_violation; 53100: its disk_full.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') {
    return new TeamError('CONFLICT', `the store refused a duplicate: ${String(error)}`);
  }
  if (code === 'SQLITE_FULL' || code === '53100') {
    return new TeamError('STORAGE_FULL', 'the disk holding the store is full (SQLITE_FULL); nothing changed: free some space and try again');
  }
  // 42501: PostgreSQL's insufficient_privilege, a role that may read the store but not write it.
  if (code === '42501') {
    return new TeamError(
      'FILE_ACCESS',
      `the database role may not write the store (${error instanceof Error ? error.message : String(error)}); nothing changed: ` +
        "use a role granted INSERT, UPDATE and DELETE on the store's tables",
    );
  }
  return error;
}
