// One process of the PostgreSQL store benchmark (pg-store.ts), forked from the built CLI:
//   pg-store-worker.js <url> <schema> <teamId> <agentId> <round-trips.json>
// opens the PostgreSQL store, says "ready", waits for "go" (so every process starts at once), then
// claims and completes until its team has no task left, and reports what it measured over IPC; every
// round trip the store made meanwhile goes to <round-trips.json> (the bench replays them without the store).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import { openPostgresTeamStore, type SentStatement } from '@codex-team/store';
import type { ClaimWorkerResult } from './claim-worker';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

async function main(): Promise<void> {
  const [url = '', schema = '', teamId = '', agentId = '', roundTripsPath = ''] = process.argv.slice(2);
  const roundTrips: SentStatement[][] = [];
  let recording = false;
  const store = await openPostgresTeamStore({
    url,
    schema,
    clock: systemClock,
    ids: new RandomIdGenerator(),
    onRoundTrip: (statements) => {
      if (recording) roundTrips.push(statements);
    },
  });
  const actor = { teamId, agentId };
  const latenciesMs: number[] = [];
  await startTogether();
  const started = performance.now();
  recording = true;
  try {
    for (;;) {
      const before = performance.now();
      const next = await store.claimNextTask(actor, { leaseMs: 600_000 });
      latenciesMs.push(performance.now() - before);
      if (next.claim === null) break;
      await store.completeTask(actor, { task_id: next.claim.task.id, fence: next.claim.fence, outcome: 'done', result: 'benchmark', artifact_ids: [] });
    }
  } finally {
    recording = false;
    await store.close();
  }
  // The last claim found nothing: it is not a claim.
  latenciesMs.pop();
  const result: ClaimWorkerResult = { pairs: latenciesMs.length, latenciesMs, elapsedMs: performance.now() - started };
  writeFileSync(roundTripsPath, JSON.stringify(roundTrips));
  await finishWorker(result);
}

main().catch(failWorker);
