import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { connectPostgres } from './pg-driver';
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
}

/** What one replay took. */
export interface PgReplayRun {
  /** From the start of the clients to the end of the last log, in milliseconds. */
  elapsedMs: number;
  roundTrips: number;
  statements: number;
}

/** Sends one statement, named as the store's connection names them: each text is parsed and planned once. */
function send(client: Client, names: Map<string, string>, statement: SentStatement): Promise<unknown> {
  if (statement.values === undefined) return client.query(statement.text);
  let name = names.get(statement.text);
  if (name === undefined) names.set(statement.text, (name = `r${names.size}`));
  return client.query({ name, text: statement.text, values: statement.values });
}

/** Sends one log, round trip after round trip, the statements of each pipelined as the store sent them. */
async function replayLog(client: Client, log: readonly (readonly SentStatement[])[], index: number): Promise<void> {
  const names = new Map<string, string>();
  for (const [position, roundTrip] of log.entries()) {
    const answers = await Promise.allSettled(roundTrip.map((statement) => send(client, names, statement)));
    const refused = answers.findIndex((answer) => answer.status === 'rejected');
    const failure = answers[refused];
    if (failure !== undefined && failure.status === 'rejected') {
      const reason: unknown = failure.reason;
      throw new Error(`the replay of log ${index} failed at round trip ${position} (${roundTrip[refused]?.text.slice(0, 60) ?? ''}): ${reason instanceof Error ? reason.message : String(reason)}`);
    }
  }
}

/**
 * Makes the round trips a store made, without the store: each log on a connection of its own (in
 * pipeline mode, as the store's), all at once, the ceiling of the same SQL. The database must hold
 * the state the logs were sent to (the same seed, with the same ids), so each statement finds the
 * rows it found then: the pg-store benchmark seeds two schemas alike, runs the store on one while
 * recording, and replays here on the other.
 */
export async function replayPgStatements(options: PgReplayOptions): Promise<PgReplayRun> {
  const clients: Client[] = [];
  try {
    for (let i = 0; i < options.logs.length; i += 1) clients.push(await connectPostgres(options.url, options.schema, { pipeline: true }));
    const started = performance.now();
    await Promise.all(clients.map((client, i) => replayLog(client, options.logs[i] ?? [], i)));
    const roundTrips = options.logs.flat();
    return { elapsedMs: performance.now() - started, roundTrips: roundTrips.length, statements: roundTrips.flat().length };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}
