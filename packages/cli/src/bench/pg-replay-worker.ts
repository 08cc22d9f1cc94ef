// One process of the pg-store benchmark's replay by one process per client (pg-store.ts), forked
// from the built CLI:
//   pg-replay-worker.js <url> <schema> <warm-up.json> <round-trips.json> <index>
// connects, makes the round trips of the warm-up log, says "ready", waits for "go" (so every process
// starts its timed log at once), makes the round trips of the log as the adapter made them
// (preparePgLogReplay), and reports how long that took over IPC.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { preparePgLogReplay, type SentStatement } from '@codex-team/store';
import { failWorker, finishWorker, startTogether } from './worker-ipc';

/** What one replaying process reports. */
export interface ReplayWorkerResult {
  elapsedMs: number;
  /** Transactions of the timed log sent again (see replayPgStatements). */
  retries: number;
}

async function main(): Promise<void> {
  const [url = '', schema = '', warmUpPath = '', logPath = '', index = '0'] = process.argv.slice(2);
  const logOf = (path: string): SentStatement[][] => JSON.parse(readFileSync(path, 'utf8')) as SentStatement[][];
  const replay = await preparePgLogReplay(url, schema, Number(index));
  await replay.run(logOf(warmUpPath));
  const log = logOf(logPath);
  await startTogether();
  const started = performance.now();
  const retries = await replay.run(log);
  const result: ReplayWorkerResult = { elapsedMs: performance.now() - started, retries };
  await replay.close();
  await finishWorker(result);
}

main().catch(failWorker);
