// The pg-store benchmark's server process (pg-store.ts), forked from the built CLI:
//   pg-pool-worker.js <url> <schema> <threads> <warm-up pairs> <seats.json>
// opens the PostgreSQL store pooled over <threads> threads, as `codex-team serve --http` does for
// the agents it serves, and runs every seat (an agent of the seeded teams) as a client of its own,
// all at once: each warms up on its first <warm-up pairs> claims and completions; then it says
// "ready", waits for "go", claims and completes until its team has no task left, and reports over
// IPC what all of them measured together.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openPooledPostgresTeamStore, type Actor } from '@codex-team/store';
import { claimAndComplete } from './claim-pairs';
import type { ClaimWorkerResult } from './claim-worker';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

async function main(): Promise<void> {
  const [url = '', schema = '', threads = '', warmUpPairs = '0', seatsPath = ''] = process.argv.slice(2);
  const seats = JSON.parse(readFileSync(seatsPath, 'utf8')) as Actor[];
  const store = await openPooledPostgresTeamStore({ url, schema, threads: Number(threads) });
  let result: ClaimWorkerResult;
  try {
    await Promise.all(seats.map((seat) => claimAndComplete(store, seat, Number(warmUpPairs))));
    await startTogether();
    const started = performance.now();
    const latencies = await Promise.all(seats.map((seat) => claimAndComplete(store, seat, Number.POSITIVE_INFINITY)));
    const elapsedMs = performance.now() - started;
    const latenciesMs = latencies.flat();
    result = { pairs: latenciesMs.length, latenciesMs, elapsedMs };
  } finally {
    await store.close();
  }
  await finishWorker(result);
}

main().catch(failWorker);
