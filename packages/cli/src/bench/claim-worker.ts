// One process of the claim benchmark (claim-throughput.ts), forked from the built CLI:
//   claim-worker.js store <db> <teamId> <agentId>   claim + complete until no task is left (the real store)
//   claim-worker.js raw <db> <worker> <count>       the raw write ceiling: <count> bare IMMEDIATE transactions
// It opens its file, says "ready", waits for "go" (so every process starts at once), then reports
// what it measured over IPC and exits.
import { performance } from 'node:perf_hooks';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import { openSqliteTeamStore, runWriteCeiling } from '@codex-team/store';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

/** What a worker reports to the benchmark. */
export interface ClaimWorkerResult {
  pairs: number;
  /** Claim latencies (store) or transaction latencies (raw), in milliseconds. */
  latenciesMs: number[];
  /** From "go" to the last commit, in milliseconds. */
  elapsedMs: number;
}

async function storeLoop(dbPath: string, teamId: string, agentId: string): Promise<ClaimWorkerResult> {
  const store = await openSqliteTeamStore({
    path: dbPath,
    clock: systemClock,
    ids: new RandomIdGenerator(),
  });
  const actor = { teamId, agentId };
  const latenciesMs: number[] = [];
  await startTogether();
  const started = performance.now();
  try {
    for (;;) {
      const before = performance.now();
      const next = await store.claimNextTask(actor, { leaseMs: 600_000 });
      latenciesMs.push(performance.now() - before);
      if (next.claim === null) break;
      await store.completeTask(actor, {
        task_id: next.claim.task.id,
        fence: next.claim.fence,
        outcome: 'done',
        result: 'benchmark',
        artifact_ids: [],
      });
    }
  } finally {
    await store.close();
  }
  // The last claim found nothing: it is not a claim.
  latenciesMs.pop();
  return { pairs: latenciesMs.length, latenciesMs, elapsedMs: performance.now() - started };
}

async function rawLoop(dbPath: string, worker: string, count: number): Promise<ClaimWorkerResult> {
  // Create the scratch table before the start line, so no process pays for it in the race.
  await runWriteCeiling(dbPath, worker, 0);
  await startTogether();
  const started = performance.now();
  const run = await runWriteCeiling(dbPath, worker, count);
  return { pairs: count / 2, latenciesMs: run.latenciesMs, elapsedMs: performance.now() - started };
}

async function main(): Promise<void> {
  const [mode, dbPath = '', a = '', b = ''] = process.argv.slice(2);
  const result = mode === 'store' ? await storeLoop(dbPath, a, b) : await rawLoop(dbPath, a, Number(b));
  await finishWorker(result);
}

main().catch(failWorker);
