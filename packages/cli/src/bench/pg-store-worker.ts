// One process of the PostgreSQL store benchmark (pg-store.ts), forked from the built CLI:
//   pg-store-worker.js <url> <schema> <teamId> <agentId> <warm-up pairs> <warm-up.json> <round-trips.json>
// opens the PostgreSQL store and warms up on its first <warm-up pairs> claims and completions, as an
// agent's server has long done when its team is busy; then says "ready", waits for "go" (so every
// process starts its timed part at once), claims and completes until its team has no task left, and
// reports what it measured over IPC. Every round trip the store made goes to <warm-up.json> or
// <round-trips.json> (the bench replays them, the warm-up untimed, without the store).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import { openPostgresTeamStore, type SentStatement } from '@codex-team/store';
import { claimAndComplete } from './claim-pairs';
import type { ClaimWorkerResult } from './claim-worker';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

async function main(): Promise<void> {
  const [url = '', schema = '', teamId = '', agentId = '', warmUpPairs = '0', warmUpPath = '', roundTripsPath = ''] = process.argv.slice(2);
  const warmUp: SentStatement[][] = [];
  const timed: SentStatement[][] = [];
  let recording = warmUp;
  const store = await openPostgresTeamStore({ url, schema, clock: systemClock, ids: new RandomIdGenerator(), onRoundTrip: (statements) => recording.push(statements) });
  const actor = { teamId, agentId };
  const timedPart = async (): Promise<ClaimWorkerResult> => {
    await claimAndComplete(store, actor, Number(warmUpPairs));
    recording = timed;
    await startTogether();
    const started = performance.now();
    const latenciesMs = await claimAndComplete(store, actor, Number.POSITIVE_INFINITY);
    return { pairs: latenciesMs.length, latenciesMs, elapsedMs: performance.now() - started };
  };
  let result: ClaimWorkerResult;
  try {
    result = await timedPart();
  } finally {
    recording = [];
    await store.close();
  }
  writeFileSync(warmUpPath, JSON.stringify(warmUp));
  writeFileSync(roundTripsPath, JSON.stringify(timed));
  await finishWorker(result);
}

main().catch(failWorker);
