import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { connectPostgres } from './pg-driver';
import type { SentStatement } from './pg-sync-connection';

export interface PgReplayOptions {
  /** The database, its search_path set to `schema`, whose state is the one the logs were sent to. */
  url: string;
  schema: string;
  /** One log per client, in the order the store sent them (PostgresTeamStoreOptions.onStatement). */
  logs: readonly (readonly SentStatement[])[];
}

/** What one replay took. */
export interface PgReplayRun {
  /** From the start of the clients to the end of the last log, in milliseconds. */
  elapsedMs: number;
  statements: number;
}

/** Sends one log, each statement awaited before the next, as a plain client would. */
async function replayLog(client: Client, log: readonly SentStatement[], index: number): Promise<void> {
  // Named, as the store's connection names them: each text is parsed and planned once.
  const names = new Map<string, string>();
  for (const [position, statement] of log.entries()) {
    try {
      if (statement.values === undefined) {
        await client.query(statement.text);
      } else {
        let name = names.get(statement.text);
        if (name === undefined) names.set(statement.text, (name = `r${names.size}`));
        await client.query({ name, text: statement.text, values: statement.values });
      }
    } catch (error) {
      throw new Error(`the replay of log ${index} failed at statement ${position} (${statement.text.slice(0, 60)}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Sends the statements a store sent, without the store: each log on a connection of its own, all at
 * once, the ceiling of the same SQL. The database must hold the state the logs were sent to (the same
 * seed, with the same ids), so each statement finds the rows it found then: the pg-store benchmark
 * seeds two schemas alike, runs the store on one while recording, and replays here on the other.
 */
export async function replayPgStatements(options: PgReplayOptions): Promise<PgReplayRun> {
  const clients: Client[] = [];
  try {
    for (let i = 0; i < options.logs.length; i += 1) clients.push(await connectPostgres(options.url, options.schema));
    const started = performance.now();
    await Promise.all(clients.map((client, i) => replayLog(client, options.logs[i] ?? [], i)));
    return { elapsedMs: performance.now() - started, statements: options.logs.reduce((sum, log) => sum + log.length, 0) };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}
