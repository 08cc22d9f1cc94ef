// A bench worker's side of raceWorkers (worker-race.ts): what a forked worker process says to the
// benchmark over IPC, in one place for every worker.

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, () => resolve());
  });
}

/** Says "ready", then waits for "go": every worker of a race starts at once. */
export async function startTogether(): Promise<void> {
  const go = new Promise((resolve) => process.once('message', resolve));
  await send({ type: 'ready' });
  await go;
}

/** Reports the worker's result, then exits. */
export async function finishWorker(result: unknown): Promise<never> {
  await send({ type: 'result', result });
  process.exit(0);
}

/** Reports why the worker failed (raceWorkers ends the race with it), then exits 1. */
export async function failWorker(error: unknown): Promise<never> {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
