// One process of the pg-store benchmark's replay by one process per client (pg-store.ts), forked
// from the built CLI:
//   pg-replay-worker.js <url> <schema> <round-trips.json> <index>
// connects, says "ready", waits for "go" (so every process starts at once), makes the round trips
// of the log as the adapter made them (preparePgLogReplay), and reports how long that took over IPC.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { preparePgLogReplay, type SentStatement } from '@codex-team/store';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

/** What one replaying process reports. */
export interface ReplayWorkerResult {
  elapsedMs: number;
  /** Transactions sent again (see replayPgStatements). */
  retries: number;
}

async function main(): Promise<void> {
  const [url = '', schema = '', logPath = '', index = '0'] = process.argv.slice(2);
  const log = JSON.parse(readFileSync(logPath, 'utf8')) as SentStatement[][];
  const replay = await preparePgLogReplay(url, schema, log, Number(index));
  await startTogether();
  const started = performance.now();
  const retries = await replay.run();
  const result: ReplayWorkerResult = { elapsedMs: performance.now() - started, retries };
  await replay.close();
  await finishWorker(result);
}

main().catch(failWorker);
