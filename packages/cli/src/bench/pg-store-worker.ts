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
import { openPostgresTeamStore, type Actor, type SentStatement, type TeamStore } from '@codex-team/store';
import type { ClaimWorkerResult } from './claim-worker';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

/** Claims and completes until `pairs` are done or the team has no task left; each claim's latency. */
async function claimAndComplete(store: TeamStore, actor: Actor, pairs: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  while (latenciesMs.length < pairs) {
    const before = performance.now();
    const next = await store.claimNextTask(actor, { leaseMs: 600_000 });
    if (next.claim === null) break;
    latenciesMs.push(performance.now() - before);
    await store.completeTask(actor, { task_id: next.claim.task.id, fence: next.claim.fence, outcome: 'done', result: 'benchmark', artifact_ids: [] });
  }
  return latenciesMs;
}

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
