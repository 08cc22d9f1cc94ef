import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { connectPostgres } from './pg-driver';
import { PG_BUSY_STATES } from '../sqlite/busy-error';
import { SKIP_LOCKED } from './pg-statements';
import type { SentStatement } from './pg-sync-connection';

export interface PgReplayOptions {
  /** The database, its search_path set to `schema`, whose state is the one the logs were sent to. */
  url: string;
  schema: string;
  /**
   * One log per client: the round trips the store made, in order, each the statements it sent
   * together (PostgresTeamStoreOptions.onRoundTrip).
   */
  logs: readonly (readonly (readonly SentStatement[])[])[];
  /**
   * What each client sent before the timed logs, replayed first on the same connection and not
   * timed (as the store's clients warmed up before theirs): `warmUpLogs[i]` comes before `logs[i]`.
   */
  warmUpLogs?: readonly (readonly (readonly SentStatement[])[])[];
}

/** What one replay took. */
export interface PgReplayRun {
  /** From the start of the clients' timed logs to the end of the last one, in milliseconds. */
  elapsedMs: number;
  /** Round trips and statements of the timed logs. */
  roundTrips: number;
  statements: number;
  /** Transactions of the timed logs sent again after the server refused them as the adapter's busy retry would try again. */
  retries: number;
}

/**
 * Sends one statement, named as the store's connection names them: each text is parsed and planned
 * once. A claim's pick and hold go without their row lock (SKIP_LOCKED): which task a pick finds
 * depends on timing, and once the replay's differs from the recording, a pick would lock a task
 * another client's recorded UPDATE names, and the two would wait on each other. The UPDATE after
 * them locks the recorded task itself.
 */
function send(client: Client, names: Map<string, string>, statement: SentStatement): Promise<unknown> {
  if (statement.values === undefined) return client.query(statement.text);
  const text = statement.text.endsWith(SKIP_LOCKED) ? statement.text.slice(0, -SKIP_LOCKED.length) : statement.text;
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `r${names.size}`));
  return client.query({ name, text, values: statement.values });
}

/** A log's round trips grouped by transaction: from one that opens with BEGIN up to one that ends with COMMIT. */
function transactionsOf(log: readonly (readonly SentStatement[])[]): (readonly (readonly SentStatement[])[])[] {
  const transactions: (readonly SentStatement[])[][] = [];
  let open: (readonly SentStatement[])[] | null = null;
  for (const roundTrip of log) {
    if (open === null || /^\s*BEGIN\b/i.test(roundTrip[0]?.text ?? '')) transactions.push((open = []));
    open.push(roundTrip);
    if (/^\s*COMMIT\s*$/i.test(roundTrip[roundTrip.length - 1]?.text ?? '')) open = null;
  }
  return transactions;
}

/**
 * Sends one log, round trip after round trip, the statements of each pipelined as the store sent
 * them. A transaction the server refuses as the adapter's busy retry would try again (PG_BUSY_STATES:
 * a lock wait past lock_timeout, a deadlock) is rolled back and sent again from its BEGIN, as the
 * adapter would.
 */
async function replayLog(client: Client, names: Map<string, string>, log: readonly (readonly SentStatement[])[], index: number): Promise<number> {
  let retries = 0;
  for (const transaction of transactionsOf(log)) {
    for (;;) {
      const refusal = await sendTransaction(client, names, transaction);
      if (refusal === null) break;
      if (!PG_BUSY_STATES.has(refusal.code)) throw new Error(`the replay of log ${index} failed at ${refusal.at}: ${refusal.message}`);
      await client.query('ROLLBACK');
      retries += 1;
    }
  }
  return retries;
}

/** Sends one transaction's round trips; the first refusal, if any, with its SQLSTATE and where it came. */
async function sendTransaction(
  client: Client,
  names: Map<string, string>,
  transaction: readonly (readonly SentStatement[])[],
): Promise<{ code: string; message: string; at: string } | null> {
  for (const roundTrip of transaction) {
    const answers = await Promise.allSettled(roundTrip.map((statement) => send(client, names, statement)));
    const refused = answers.findIndex((answer) => answer.status === 'rejected');
    const failure = answers[refused];
    if (failure !== undefined && failure.status === 'rejected') {
      const reason: unknown = failure.reason;
      const code = typeof reason === 'object' && reason !== null && 'code' in reason ? String(reason.code) : '';
      return { code, message: reason instanceof Error ? reason.message : String(reason), at: roundTrip[refused]?.text.slice(0, 60) ?? '' };
    }
  }
  return null;
}

/**
 * Makes the round trips a store made, without the store: each log on a connection of its own (in
 * pipeline mode, as the store's), all at once, the ceiling of the same SQL. The database must hold
 * the state the logs were sent to (the same seed, with the same ids), so each statement finds the
 * rows it found then: the pg-store benchmark seeds two schemas alike, runs the store on one while
 * recording, and replays here on the other.
 */
export async function replayPgStatements(options: PgReplayOptions): Promise<PgReplayRun> {
  const replays: PgLogReplay[] = [];
  try {
    for (const index of options.logs.keys()) replays.push(await preparePgLogReplay(options.url, options.schema, index));
    await Promise.all(replays.map((replay, index) => replay.run(options.warmUpLogs?.[index] ?? [])));
    const started = performance.now();
    const retries = await Promise.all(replays.map((replay, index) => replay.run(options.logs[index] ?? [])));
    const elapsedMs = performance.now() - started;
    const roundTrips = options.logs.flat();
    return { elapsedMs, roundTrips: roundTrips.length, statements: roundTrips.flat().length, retries: retries.reduce((sum, each) => sum + each, 0) };
  } finally {
    await Promise.all(replays.map((replay) => replay.close()));
  }
}

/** One client's replay on a connection of its own, connected beforehand (preparePgLogReplay). */
export interface PgLogReplay {
  /**
   * Makes a log's round trips; answers how many transactions were sent again. A client's logs
   * (its warm-up, then its timed log) run one after another on the same connection.
   */
  run(log: readonly (readonly SentStatement[])[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * Connects (in pipeline mode, as the store's connection) for the replay of client number `index`
 * without starting it, so that every client of a replay, in this process or one process each,
 * starts at once.
 */
export async function preparePgLogReplay(url: string, schema: string, index: number): Promise<PgLogReplay> {
  const client = await connectPostgres(url, schema, { pipeline: true });
  const names = new Map<string, string>();
  return {
    run: (log) => replayLog(client, names, log, index),
    close: () => client.end().catch(() => undefined),
  };
}
