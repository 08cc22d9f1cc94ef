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
import type { ClaimRankCache } from '../sqlite/claim-ranks';
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
 * The write locks (transaction-level advisory locks), SQLite's one writer made one writer per team
 * tree: a write of a call bound to a team (its authorization names the team) holds the tree's lock
 * (PG_TREE_LOCK_CLASS, a hash of the root team's id: thread caps and budgets span the tree) and
 * PG_WRITE_LOCK_KEY shared; any other write (opening a team, joining by ticket, the recovery sweep,
 * the queued decisions) holds PG_WRITE_LOCK_KEY alone, excluding every writer, as on SQLite. Every
 * writer takes PG_WRITE_LOCK_KEY first, so none waits for another in a cycle. Under its lock a
 * READ COMMITTED write sees every committed write, as SQLite's IMMEDIATE transaction does, so the
 * operations' checks hold as they are written. Readers never wait for a lock.
 */
export const PG_WRITE_LOCK_KEY = '7316000002';
/** The first key of a tree's lock (the two-key form: its own key space); the second is the root's hash. */
export const PG_TREE_LOCK_CLASS = 7316;

/** A 32-bit signed hash of a root team id (FNV-1a), the second key of its tree's lock. */
export function treeLockKey(rootTeamId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < rootTeamId.length; i += 1) {
    hash ^= rootTeamId.charCodeAt(i);
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
    /** Only the claim race's broken variant turns it off, to show what it prevents. @default true */
    private readonly writeLock = true,
  ) {
    this.connection = sql.connection;
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
      try {
        const now = this.begin(
          [
            'BEGIN',
            `SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockSliceMs))}`,
            // A record that changes no state (a read's decision) need not wait for the disk (WriteOptions.sync).
            ...(options.sync === 'normal' ? ['SET LOCAL synchronous_commit = off'] : []),
          ],
          this.writeLock ? this.lockFor(options.authorization?.decision.teamId ?? null) : null,
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

  /**
   * The locks a write takes (see PG_WRITE_LOCK_KEY): its team tree's, when the call is bound to a
   * team that exists, else the whole database's. Keys are numbers computed here, never input.
   */
  private lockFor(teamId: string | null): string {
    const root = teamId === null ? undefined : this.rootOf(teamId);
    if (root === undefined) return `pg_advisory_xact_lock(${PG_WRITE_LOCK_KEY})`;
    return `pg_advisory_xact_lock_shared(${PG_WRITE_LOCK_KEY}), pg_advisory_xact_lock(${PG_TREE_LOCK_CLASS}, ${treeLockKey(root)})`;
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

  /**
   * Runs `step` after a savepoint and rolls back to it when `step` throws. The savepoint is never
   * released (the commit does that, a round trip saved): a later one of the same name hides it,
   * and ROLLBACK TO goes to the latest.
   */
  private inSavepoint(step: () => void): void {
    this.connection.query('SAVEPOINT op');
    try {
      step();
    } catch (error) {
      this.connection.query('ROLLBACK TO SAVEPOINT op');
      throw error;
    }
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
