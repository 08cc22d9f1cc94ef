import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { connectPostgres } from './pg-driver';
import { withPgScratchSchema } from './pg-scratch-schema';

export interface PgClaimCeilingOptions {
  /** A PostgreSQL database the run may create (and then drops) a scratch schema in. */
  url: string;
  /** Concurrent clients, each on its own connection, claiming and completing until none is left. */
  clients: number;
  /** Ready tasks seeded: the claim + complete pairs done in all. */
  pairs: number;
  /** @default 600_000 */
  leaseMs?: number;
}

/** What one run of the PostgreSQL ceiling did. */
export interface PgClaimCeilingRun {
  /** Completions that went through. */
  pairs: number;
  /** From the start of the clients to the last completion, in milliseconds. */
  elapsedMs: number;
  /** Wall time of every claim that got a task, in milliseconds. */
  claimLatenciesMs: number[];
  /** Completions the fence refused; none in a correct run. */
  staleCompletions: number;
}

// The store's claim shape without the store: pick a team's next ready task by priority then age,
// skipping rows other claimers hold, and set owner, fence and a lease from the database clock;
// complete only as the owner of the current fence with an unexpired lease. Each statement is its
// own transaction, as the store's claim and complete are. No audit row, no checks, no counts.
const SCHEMA_SQL = [
  `CREATE TABLE tasks (
     seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id               TEXT NOT NULL UNIQUE,
     team_id          TEXT NOT NULL,
     status           TEXT NOT NULL,
     priority         INTEGER NOT NULL DEFAULT 0,
     owner_agent_id   TEXT,
     fence            INTEGER NOT NULL DEFAULT 0,
     lease_expires_at BIGINT,
     result           TEXT
   )`,
  'CREATE INDEX tasks_claim_order ON tasks (team_id, status, priority DESC, seq)',
];
const SEED_SQL = "INSERT INTO tasks (id, team_id, status) SELECT 't' || g, 'team', 'ready' FROM generate_series(1, $1::int) AS g";
const DB_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';
const CLAIM_SQL = `
  WITH next AS (
    SELECT seq FROM tasks WHERE team_id = $1 AND status = 'ready'
    ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED
  )
  UPDATE tasks SET status = 'in_progress', owner_agent_id = $2, fence = tasks.fence + 1, lease_expires_at = ${DB_NOW_MS} + $3
  FROM next WHERE tasks.seq = next.seq
  RETURNING tasks.id, tasks.fence`;
const COMPLETE_SQL = `
  UPDATE tasks SET status = 'done', result = $4, lease_expires_at = NULL
  WHERE id = $1 AND owner_agent_id = $2 AND fence = $3 AND status = 'in_progress' AND lease_expires_at > ${DB_NOW_MS}`;

async function claimLoop(client: Client, worker: string, leaseMs: number, run: PgClaimCeilingRun): Promise<void> {
  for (;;) {
    const started = performance.now();
    const claimed = await client.query<{ id: string; fence: number }>(CLAIM_SQL, ['team', worker, leaseMs]);
    const task = claimed.rows[0];
    if (task === undefined) return;
    run.claimLatenciesMs.push(performance.now() - started);
    const done = await client.query(COMPLETE_SQL, [task.id, worker, task.fence, 'ceiling']);
    if (done.rowCount === 1) run.pairs += 1;
    else run.staleCompletions += 1;
  }
}

/**
 * The raw ceiling of the PostgreSQL claim benchmark: `pairs` claim + complete pairs with the
 * store's SQL shape (`FOR UPDATE SKIP LOCKED` claim, fenced complete, database-clock leases) by
 * `clients` concurrent connections, on a scratch schema that is dropped afterwards
 * (withPgScratchSchema). Lives in the store because only the store loads the pg driver.
 */
export async function runPgClaimCeiling(options: PgClaimCeilingOptions): Promise<PgClaimCeilingRun> {
  return withPgScratchSchema(options.url, 'codex_team_ceiling', async (schema) => {
    const clients: Client[] = [];
    try {
      for (let i = 0; i < options.clients; i += 1) clients.push(await connectPostgres(options.url, schema));
      const [setup] = clients;
      if (setup === undefined) throw new Error('the ceiling needs at least one client');
      for (const sql of SCHEMA_SQL) await setup.query(sql);
      await setup.query(SEED_SQL, [options.pairs]);
      await setup.query('ANALYZE tasks');
      const run: PgClaimCeilingRun = { pairs: 0, elapsedMs: 0, claimLatenciesMs: [], staleCompletions: 0 };
      const started = performance.now();
      await Promise.all(clients.map((client, i) => claimLoop(client, `w${i}`, options.leaseMs ?? 600_000, run)));
      run.elapsedMs = performance.now() - started;
      return run;
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    }
  });
}
