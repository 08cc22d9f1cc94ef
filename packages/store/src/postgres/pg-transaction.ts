import { TeamError, type IdGenerator } from '@codex-team/contracts';
import type { CodexThreadCap, ProfileCatalog } from '@codex-team/policy-engine';
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
import type { PgSyncConnection } from './pg-sync-connection';

/** The operations' statements (SQLite's dialect) on PostgreSQL: translated once each, then run through the bridge. */
export class PgSql implements Sql {
  private readonly statements = new Map<string, PgStatement>();

  constructor(readonly connection: PgSyncConnection) {}

  private statement(text: string): PgStatement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = toPostgres(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private exec(text: string, params: readonly unknown[], array = false): { rows: unknown[]; rowCount: number } {
    const statement = this.statement(text);
    return this.connection.query(statement.text, bindValues(statement, params), { array });
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
 * The advisory lock every write transaction of one database takes first: PostgreSQL's writes are
 * serialized as SQLite's are (one writer at a time), so every operation's checks and writes hold
 * exactly as they do there, with nothing of the operations changed. Readers never wait for it.
 */
export const PG_WRITE_LOCK_KEY = '7316000002';

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
    /** Only the claim race's broken variant turns it off, to show what it prevents. @default true */
    private readonly writeLock = true,
  ) {
    this.connection = sql.connection;
    this.context = { sql, ids, profiles, codexThreadCap, log };
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
      try {
        const now = this.begin(
          [
            'BEGIN',
            `SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockSliceMs))}`,
            // A record that changes no state (a read's decision) need not wait for the disk (WriteOptions.sync).
            ...(options.sync === 'normal' ? ['SET LOCAL synchronous_commit = off'] : []),
          ],
          this.writeLock ? `pg_advisory_xact_lock(${PG_WRITE_LOCK_KEY})` : null,
        );
        const body = writeBody(this.context, now, work, options, this.firstWrites, this.recordDecision, (step) => this.inSavepoint(step), after);
        refused = body.refused;
        this.connection.query('COMMIT');
        // Committed: the after-commit work runs before this process can start another transaction.
        for (const done of after) done();
        return body.value as T;
      } catch (error) {
        this.rollback();
        throw error;
      }
    }, options.waitForLock === false ? { ...this.retry, deadlineMs: 0 } : this.retry);
    if (refused !== null) throw refused;
    return result;
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
   * Opens the transaction with `statements` and, in the same round trip, takes `lock` and reads the
   * database clock when the operations' time comes from it; returns the operation's time.
   */
  private begin(statements: readonly string[], lock: string | null): number {
    const selected = [...(lock === null ? [] : [lock]), ...(this.time.kind === 'database' ? [`${DATABASE_NOW_MS} AS now`] : [])];
    const text = [...statements, ...(selected.length === 0 ? [] : [`SELECT ${selected.join(', ')}`])].join('; ');
    const result = this.connection.query(text);
    if (this.time.kind === 'clock') return this.time.now();
    const now = (result.rows[0] as { now?: number } | undefined)?.now;
    if (typeof now !== 'number') throw new TeamError('INTERNAL', 'PostgreSQL did not answer its clock');
    return now;
  }

  private now(): number {
    if (this.time.kind === 'clock') return this.time.now();
    return (this.connection.query(`SELECT ${DATABASE_NOW_MS}`, [], { array: true }).rows[0] as number[])[0] as number;
  }

  private inSavepoint(step: () => void): void {
    this.connection.query('SAVEPOINT op');
    try {
      step();
    } catch (error) {
      this.connection.query('ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op');
      throw error;
    }
    this.connection.query('RELEASE SAVEPOINT op');
  }

  /** Rolls back whatever is open; a connection that is gone has nothing open. */
  private rollback(): void {
    if (!this.connection.open) return;
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
