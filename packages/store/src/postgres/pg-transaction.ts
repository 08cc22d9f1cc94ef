import { TeamError, type IdGenerator } from '@codex-team/contracts';
import type { CodexThreadCap, ProfileCatalog } from '@codex-team/policy-engine';
import { isClaimConflict } from '../sqlite/busy-error';
import {
  newOp,
  withBusyRetry,
  writeBody,
  type AppliedDecision,
  type BusyRetryOptions,
  type Op,
  type OpContext,
  type RecordDecision,
  type RunResult,
  type Sql,
  type Transactions,
  type WriteOptions,
} from '../sqlite/transaction';
import { bindValues, toPostgres, type PgStatement } from './pg-dialect';
import { ANY_CLAIMABLE, CLAIM_LOCKING, SKIP_LOCKED, normalize } from './pg-statements';
import type { ClaimRankCache } from '../sqlite/claim-ranks';
import type { PgQuery, PgResult, PgSyncConnection } from './pg-sync-connection';

/** A read an operation made before its first write, as sent; the same call's next write sends it ahead. */
interface ReadAhead extends PgQuery {
  values: unknown[];
}

/** How many calls (operation and actor) the read-ahead remembers; the oldest is forgotten first. */
const READ_AHEAD_CALLS = 512;

function readKey(text: string, values: readonly unknown[], array: boolean): string {
  return `${array ? 'a' : 'o'}${text}\u0000${JSON.stringify(values)}`;
}

/**
 * The operations' statements (SQLite's dialect) on PostgreSQL: translated once each, then run
 * through the bridge.
 *
 * Read-ahead: a write transaction's reads up to its first write are remembered per call (its
 * WriteOptions.readAheadKey: the operation and its actor), and those the call's last two writes both
 * began with, alike, are sent by its next write in its opening round trip, after its lock. A read
 * the operation then asks, with the very text and values, is answered from there: it ran in the
 * same transaction, under the same lock, and this transaction wrote nothing since (the first
 * statement that is not a SELECT drops every answer kept). Under the lock only a claim beside a
 * claim may have committed meanwhile, and a claim reads nothing of another's but the team's counts,
 * which READ COMMITTED never promised fresher. A read asked otherwise goes to the server as it
 * always does; a read sent ahead and not asked cost the server only its work.
 */
export class PgSql implements Sql {
  private readonly statements = new Map<string, { statement: PgStatement; reads: boolean }>();
  /** Answers of the reads sent ahead in this transaction, by readKey, in the order sent. */
  private readonly answered = new Map<string, PgResult[]>();
  /** The reads of the write in progress up to its first write; null outside a write of a known call. */
  private learning: ReadAhead[] | null = null;
  /** Whether the write in progress has not written yet: its reads are still learned. */
  private beforeFirstWrite = false;
  /** Per call: the reads its last write began with, and those of them its write before began with too. */
  private readonly learned = new Map<string, { last: ReadAhead[]; repeated: ReadAhead[] }>();
  /** The lock the write in progress takes with its first write (a claim's commit-order lock); null for none. */
  private firstWriteLock: string | null = null;
  /** Whether firstWriteLock is held: sent, and not rolled back with a savepoint since. */
  private firstWriteLocked = false;

  /** `lane`: only tests give another than the claim lane, whose picks and holds lock with SKIP LOCKED (PgClaimLane). */
  constructor(
    readonly connection: PgSyncConnection,
    readonly lane: PgClaimLane = 'side-by-side',
  ) {}

  private statement(text: string): { statement: PgStatement; reads: boolean } {
    let known = this.statements.get(text);
    if (known === undefined) {
      known = { statement: this.translated(text), reads: /^\s*SELECT\b/i.test(text) };
      this.statements.set(text, known);
    }
    return known;
  }

  /** PostgreSQL's statement for `text`: a claim's picks and hold lock as the lane says (claimLockOf). */
  private translated(text: string): PgStatement {
    const statement = toPostgres(text);
    const key = normalize(text);
    if (CLAIM_LOCKING.has(key)) return { ...statement, text: `${statement.text}${claimLockOf(this.lane)}` };
    if (key === ANY_CLAIMABLE && this.lane === 'unlooked') return { ...statement, text: `SELECT 1 FROM (${statement.text}) AS unlooked WHERE false` };
    return statement;
  }

  private exec(text: string, params: readonly unknown[], array = false): PgResult {
    const { statement, reads } = this.statement(text);
    const values = bindValues(statement, params);
    if (!reads) {
      this.answered.clear();
      this.beforeFirstWrite = false;
      if (this.firstWriteLock !== null && !this.firstWriteLocked) {
        this.connection.sendWithNext(this.firstWriteLock);
        this.firstWriteLocked = true;
      }
      return this.connection.query(statement.text, values, { array });
    }
    if (this.beforeFirstWrite) this.learning?.push({ text: statement.text, values, array });
    const early = this.answered.size === 0 ? undefined : this.answered.get(readKey(statement.text, values, array))?.shift();
    return early ?? this.connection.query(statement.text, values, { array });
  }

  /**
   * The reads to send ahead of a write of the call `key`, which this write now learns anew;
   * `firstWriteLock` (a SELECT taking a lock) goes in the round trip of its first write.
   */
  startWrite(key: string | undefined, firstWriteLock: string | null = null): readonly ReadAhead[] {
    this.firstWriteLock = firstWriteLock;
    this.firstWriteLocked = false;
    this.answered.clear();
    this.learning = key === undefined ? null : [];
    this.beforeFirstWrite = true;
    return key === undefined ? [] : (this.learned.get(key)?.repeated ?? []);
  }

  /** Keeps the answers of the reads sent ahead; a refused one is asked again if the operation asks it. */
  readAhead(reads: readonly ReadAhead[], answers: readonly (PgResult | Error)[]): void {
    for (const [index, read] of reads.entries()) {
      const answer = answers[index];
      if (answer === undefined || answer instanceof Error) continue;
      const key = readKey(read.text, read.values, read.array === true);
      const queue = this.answered.get(key);
      if (queue === undefined) this.answered.set(key, [answer]);
      else queue.push(answer);
    }
  }

  /** A rollback to a savepoint released the locks taken after it: the next write takes firstWriteLock again. */
  rolledBackToSavepoint(): void {
    this.firstWriteLocked = false;
  }

  /** Ends the write: a committed one's reads are what its call sends ahead next time. */
  endWrite(key: string | undefined, committed: boolean): void {
    this.firstWriteLock = null;
    this.firstWriteLocked = false;
    const reads = this.learning;
    this.answered.clear();
    this.learning = null;
    this.beforeFirstWrite = false;
    // A write that wrote before its operation read (queued decisions first) learned nothing new.
    if (key === undefined || !committed || reads === null || reads.length === 0) return;
    // Only reads asked alike twice in a row are sent ahead: one that names this call's task would
    // only cost the server work the next call does not ask for.
    const before = new Set((this.learned.get(key)?.last ?? []).map((read) => readKey(read.text, read.values, read.array === true)));
    const repeated = reads.filter((read) => before.has(readKey(read.text, read.values, read.array === true)));
    this.learned.delete(key);
    this.learned.set(key, { last: reads, repeated });
    if (this.learned.size > READ_AHEAD_CALLS) {
      const oldest = this.learned.keys().next().value;
      if (oldest !== undefined) this.learned.delete(oldest);
    }
  }

  get<Row>(text: string, ...params: unknown[]): Row | undefined {
    return this.exec(text, params).rows[0] as Row | undefined;
  }

  all<Row>(text: string, ...params: unknown[]): Row[] {
    return this.exec(text, params).rows as Row[];
  }

  value<T>(text: string, ...params: unknown[]): T | undefined {
    const row = this.exec(text, params, true).rows[0] as unknown[] | undefined;
    return row?.[0] as T | undefined;
  }

  run(text: string, ...params: unknown[]): RunResult {
    const result = this.exec(text, params);
    const last = result.rows[result.rows.length - 1] as { seq?: number } | undefined;
    return { changes: result.rowCount, lastInsertRowid: last?.seq ?? 0 };
  }
}

/**
 * The write locks (transaction-level advisory locks), SQLite's one writer made one writer per team
 * tree: a write of a call bound to a team (WriteOptions.team: its actor's team, or its
 * authorization's) holds the tree's lock (PG_TREE_LOCK_CLASS, a hash of the root team's id: thread
 * caps and budgets span the tree) and PG_WRITE_LOCK_KEY shared; any other write (opening a team, joining by ticket, the recovery sweep,
 * the queued decisions) holds PG_WRITE_LOCK_KEY alone, excluding every writer, as on SQLite. Every
 * writer takes PG_WRITE_LOCK_KEY first, so none waits for another in a cycle. Under its lock a
 * READ COMMITTED write sees every committed write, as SQLite's IMMEDIATE transaction does, so the
 * operations' checks hold as they are written. Readers never wait for a lock.
 *
 * The claim lane: a claim (WriteOptions.claimBy) holds its tree's lock shared, beside the tree's
 * other claims and excluding every other write of the tree, and its agent's lock
 * (PG_AGENT_LOCK_CLASS), one claim per agent at a time. The team's budget, mode and DAG change only
 * under the exclusive lock, the agent's caps and retirement under its own; what other claims change
 * is tasks (ready to in progress) and the team's counts. So a claim holds the task it takes before
 * its first write: its picks lock what they find and skip tasks other claims hold (FOR UPDATE SKIP
 * LOCKED, pg-statements' CLAIM_LOCKING), a task others wait on is held once chosen (holdForClaim)
 * or passed over when another claim holds it, and a claim by id of a held task, or a claim whose
 * picks found nothing while a task is still claimable, is a claim conflict, tried again like a busy
 * lock (scheduling-facts' nextInClaimOrder). A pick may hold a task its claim does not take, to its
 * commit: a claim beside it passes that one over. From its first write to its
 * commit a claim holds the tree's commit-order lock (PG_COMMIT_ORDER_CLASS), so its audit event and
 * decision record get their seq in commit order: a reader that follows a team's events by seq never
 * passes one still to commit. A claim holds its task before that lock and waits for no row lock
 * after it, so no two claims wait on each other. (Read decisions queued in the process are written
 * first by any write, a claim's too: that claim then holds the commit-order lock from its start.)
 */
export const PG_WRITE_LOCK_KEY = '7316000002';
/** The first key of a tree's lock (the two-key form: its own key space); the second is the root's hash. */
export const PG_TREE_LOCK_CLASS = 7316;
/** The first key of an agent's claim lock; the second is the agent id's hash. */
export const PG_AGENT_LOCK_CLASS = 7317;
/** The first key of a tree's commit-order lock; the second is the root's hash, as in the tree's lock. */
export const PG_COMMIT_ORDER_CLASS = 7318;

/**
 * How claims take the write locks: `side-by-side` is the claim lane (see PG_WRITE_LOCK_KEY). Only
 * tests choose another, to show what each part of the lane does: `one-at-a-time` takes the tree's
 * lock alone, as every other write does; `unordered` is the lane without its commit-order lock;
 * `any-agent` without its agent's lock; `waiting-holds` picks and holds tasks waiting for other
 * claims' (no SKIP LOCKED); `unheld` picks and holds without locking; `unlooked` answers "nothing to
 * claim" when the picks found nothing, without looking for a task other claims hold.
 */
export type PgClaimLane = 'side-by-side' | 'one-at-a-time' | 'unordered' | 'any-agent' | 'waiting-holds' | 'unheld' | 'unlooked';

/** What a claim's picks and hold end with in `lane` (see PgClaimLane). */
function claimLockOf(lane: PgClaimLane): string {
  if (lane === 'waiting-holds') return ' FOR UPDATE OF t';
  if (lane === 'unheld') return '';
  return SKIP_LOCKED;
}

/** A 32-bit signed hash of an id (FNV-1a): a root team's is the second key of its tree's locks, an agent's of its claim lock. */
export function advisoryLockKey(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** The database's clock in epoch milliseconds (leases are judged by it, never by a host's). */
const DATABASE_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** Where an operation's one time comes from: the database's clock, or the store's injected clock (tests). */
export type PgTimeSource = { kind: 'database' } | { kind: 'clock'; now: () => number };

/**
 * Runs domain operations as single PostgreSQL transactions, with SQLite's semantics: a write takes
 * the database's write lock (PG_WRITE_LOCK_KEY) first, blocking at most `lockSliceMs` (the
 * transaction's lock_timeout, SQLite's busy slice), after which the whole transaction is rolled
 * back and tried again after a pause, until the busy deadline (withBusyRetry); READ COMMITTED under
 * that lock sees every committed write, as SQLite's IMMEDIATE transaction does. A read is one
 * REPEATABLE READ snapshot. A refusal rolls back to a savepoint, as on SQLite (writeBody).
 */
export class PgTransactionRunner implements Transactions {
  private firstWrites: ((op: Op) => void)[] = [];
  private readonly context: OpContext;
  private readonly connection: PgSyncConnection;
  private readonly sql: PgSql;
  /** Root team of each team this process wrote for: a team's root never changes. */
  private readonly roots = new Map<string, string>();

  constructor(
    sql: PgSql,
    private readonly time: PgTimeSource,
    ids: IdGenerator,
    private readonly retry: BusyRetryOptions,
    private readonly lockSliceMs: number,
    profiles: ProfileCatalog,
    codexThreadCap: CodexThreadCap | undefined,
    log: (decision: AppliedDecision) => void,
    private readonly recordDecision: RecordDecision,
    /** The process's claim ranks; null when claims do not rank. */
    claimRanks: ClaimRankCache | null,
  ) {
    this.connection = sql.connection;
    this.sql = sql;
    this.context = { sql, ids, profiles, codexThreadCap, log, claimRanks };
  }

  beforeEachWrite(write: (op: Op) => void): void {
    this.firstWrites = [...this.firstWrites, write];
  }

  /** See TransactionRunner.write: the same contract, on PostgreSQL. */
  async write<T>(work: (op: Op) => T, options: WriteOptions = {}): Promise<T> {
    this.requireOpen();
    let refused: TeamError | null = null;
    const result = await withBusyRetry(() => {
      const after: (() => void)[] = [];
      const locks = this.locksFor(options.team ?? options.authorization?.decision.teamId ?? null, options.claimBy);
      const readAhead = this.sql.startWrite(options.readAheadKey, locks.firstWrite);
      try {
        const now = this.begin(
          [
            'BEGIN',
            `SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockSliceMs))}`,
            // A record that changes no state (a read's decision) need not wait for the disk (WriteOptions.sync).
            ...(options.sync === 'normal' ? ['SET LOCAL synchronous_commit = off'] : []),
          ],
          locks.opening,
          readAhead,
        );
        const body = writeBody(this.context, now, work, options, this.firstWrites, this.recordDecision, (step) => this.inSavepoint(step), after);
        refused = body.refused;
        this.connection.query('COMMIT');
        this.sql.endWrite(options.readAheadKey, true);
        // Committed: the after-commit work runs before this process can start another transaction.
        for (const done of after) done();
        return body.value as T;
      } catch (error) {
        this.sql.endWrite(options.readAheadKey, false);
        this.rollback();
        // Another claim holds the task: tried again like a busy lock (a serialization failure).
        throw isClaimConflict(error) ? Object.assign(new Error(String((error as Error).message)), { code: '40001' }) : error;
      }
    }, options.waitForLock === false ? { ...this.retry, deadlineMs: 0 } : this.retry);
    if (refused !== null) throw refused;
    return result;
  }

  /**
   * The locks a write takes (see PG_WRITE_LOCK_KEY): those it opens with (its team tree's, when the
   * call is bound to a team that exists, else the whole database's; a claim's in its lane), and the
   * one a claim takes with its first write. Keys are numbers computed here, never input.
   */
  private locksFor(teamId: string | null, claimBy: string | undefined): { opening: string; firstWrite: string | null } {
    const root = teamId === null ? undefined : this.rootOf(teamId);
    if (root === undefined) return { opening: `pg_advisory_xact_lock(${PG_WRITE_LOCK_KEY})`, firstWrite: null };
    const tree = `${PG_TREE_LOCK_CLASS}, ${advisoryLockKey(root)}`;
    if (claimBy === undefined || this.sql.lane === 'one-at-a-time') {
      return { opening: `pg_advisory_xact_lock_shared(${PG_WRITE_LOCK_KEY}), pg_advisory_xact_lock(${tree})`, firstWrite: null };
    }
    const agent = this.sql.lane === 'any-agent' ? '' : `, pg_advisory_xact_lock(${PG_AGENT_LOCK_CLASS}, ${advisoryLockKey(claimBy)})`;
    return {
      opening: `pg_advisory_xact_lock_shared(${PG_WRITE_LOCK_KEY}), pg_advisory_xact_lock_shared(${tree})${agent}`,
      firstWrite: this.sql.lane === 'unordered' ? null : `SELECT pg_advisory_xact_lock(${PG_COMMIT_ORDER_CLASS}, ${advisoryLockKey(root)})`,
    };
  }

  private rootOf(teamId: string): string | undefined {
    let root = this.roots.get(teamId);
    if (root === undefined) {
      root = (this.connection.query('SELECT root_team_id FROM teams WHERE id = $1', [teamId], { array: true }).rows[0] as string[] | undefined)?.[0];
      if (root !== undefined) this.roots.set(teamId, root);
    }
    return root;
  }

  /** Each statement its own snapshot (see TransactionRunner.readUnsnapshotted). */
  async readUnsnapshotted<T>(work: (op: Op) => T): Promise<T> {
    this.requireOpen();
    return withBusyRetry(() => work(newOp(this.context, this.now(), false, [], [])), this.retry);
  }

  /** One consistent read: a REPEATABLE READ, READ ONLY transaction (it never waits for the write lock). */
  async read<T>(work: (op: Op) => T): Promise<T> {
    this.requireOpen();
    return withBusyRetry(() => {
      try {
        const now = this.begin(['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'], null);
        const value = work(newOp(this.context, now, false, [], []));
        this.connection.query('COMMIT');
        return value;
      } catch (error) {
        this.rollback();
        throw error;
      }
    }, this.retry);
  }

  /**
   * Opens the transaction with `statements` and, in the same round trip, takes `lock`, reads the
   * database clock when the operations' time comes from it, and sends `readAhead` (PgSql); returns
   * the operation's time.
   */
  private begin(statements: readonly string[], lock: string | null, readAhead: readonly ReadAhead[] = []): number {
    const selected = [...(lock === null ? [] : [lock]), ...(this.time.kind === 'database' ? [`${DATABASE_NOW_MS} AS now`] : [])];
    const text = [...statements, ...(selected.length === 0 ? [] : [`SELECT ${selected.join(', ')}`])].join('; ');
    const result = readAhead.length === 0 ? this.connection.query(text) : this.openWithReads(text, readAhead);
    if (this.time.kind === 'clock') return this.time.now();
    const now = (result.rows[0] as { now?: number } | undefined)?.now;
    if (typeof now !== 'number') throw new TeamError('INTERNAL', 'PostgreSQL did not answer its clock');
    return now;
  }

  /** The opening statements and the reads sent ahead, in one round trip; a refused opening is thrown. */
  private openWithReads(text: string, readAhead: readonly ReadAhead[]): PgResult {
    const [opened, ...answers] = this.connection.queryBatch([{ text }, ...readAhead]);
    if (opened === undefined) throw new TeamError('INTERNAL', 'PostgreSQL did not answer the opening of a transaction');
    if (opened instanceof Error) throw opened;
    this.sql.readAhead(readAhead, answers);
    return opened;
  }

  private now(): number {
    if (this.time.kind === 'clock') return this.time.now();
    return (this.connection.query(`SELECT ${DATABASE_NOW_MS}`, [], { array: true }).rows[0] as number[])[0] as number;
  }

  /**
   * Runs `step` after a savepoint and rolls back to it when `step` throws. The savepoint goes in
   * the round trip of the step's first statement (PgSyncConnection.sendWithNext). It is never
   * released (the commit does that, a round trip saved): a later one of the same name hides it,
   * and ROLLBACK TO goes to the latest.
   */
  private inSavepoint(step: () => void): void {
    // Sent with the step's first statement; a step that sends none needs no savepoint.
    this.connection.sendWithNext('SAVEPOINT op');
    try {
      step();
    } catch (error) {
      if (!this.connection.unsend('SAVEPOINT op')) {
        this.connection.query('ROLLBACK TO SAVEPOINT op');
        this.sql.rolledBackToSavepoint();
      }
      throw error;
    }
    this.connection.unsend('SAVEPOINT op');
  }

  /** Rolls back whatever is open; a connection that is gone has nothing open. */
  private rollback(): void {
    if (!this.connection.open) return;
    this.connection.unsend('SAVEPOINT op');
    try {
      this.connection.query('ROLLBACK');
    } catch {
      // The server rolls back an open transaction when its connection ends.
    }
  }

  private requireOpen(): void {
    if (!this.connection.open) throw new TeamError('INTERNAL', 'the store is closed; nothing changed', { closed: true });
  }
}
