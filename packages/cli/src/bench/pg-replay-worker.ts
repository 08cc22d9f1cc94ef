// One process of the pg-store benchmark's replay by one process per client (pg-store.ts), forked
// from the built CLI:
//   pg-replay-worker.js <url> <schema> <round-trips.json> <index>
// connects, says "ready", waits for "go" (so every process starts at once), makes the round trips
// of the log as the adapter made them (preparePgLogReplay), and reports how long that took over IPC.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { preparePgLogReplay, type SentStatement } from '@codex-team/store';

/** What one replaying process reports. */
export interface ReplayWorkerResult {
  elapsedMs: number;
  /** Transactions sent again (see replayPgStatements). */
  retries: number;
}

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, () => resolve());
  });
}

async function main(): Promise<void> {
  const [url = '', schema = '', logPath = '', index = '0'] = process.argv.slice(2);
  const log = JSON.parse(readFileSync(logPath, 'utf8')) as SentStatement[][];
  const replay = await preparePgLogReplay(url, schema, log, Number(index));
  const go = new Promise((resolve) => process.once('message', resolve));
  await send({ type: 'ready' });
  await go;
  const started = performance.now();
  const retries = await replay.run();
  const result: ReplayWorkerResult = { elapsedMs: performance.now() - started, retries };
  await replay.close();
  await send({ type: 'result', result });
  process.exit(0);
}

main().catch(async (error: unknown) => {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
