import { fork, type ChildProcess } from 'node:child_process';

/** What a bench worker says over IPC: ready to start, its result, or why it failed. */
type WorkerMessage = { type: 'ready' } | { type: 'result'; result: unknown } | { type: 'error'; message?: string };

/**
 * Forks one process of `script` per argument list, releases them together once every one is ready
 * ("go"), and collects their results. The first failure (an error report, a non-zero exit, a fork
 * that fails) ends the whole race at once: every other worker is killed and the race rejects with
 * that worker's error, so a run never hangs on a worker waiting for a start that cannot come.
 */
export function raceWorkers<R>(script: string, argsOf: readonly (readonly string[])[]): Promise<R[]> {
  return new Promise<R[]>((resolve, reject) => {
    const results: R[] = [];
    const running = new Set<ChildProcess>();
    let ready = 0;
    let failed = false;
    const children = argsOf.map((args) => fork(script, [...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));

    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const child of running) child.kill('SIGKILL');
      reject(error);
    };

    for (const [index, child] of children.entries()) {
      running.add(child);
      child.on('message', (raw: unknown) => {
        const message = raw as WorkerMessage;
        if (message.type === 'ready') {
          ready += 1;
          if (ready === children.length && !failed) for (const each of children) each.send('go');
        } else if (message.type === 'result') {
          results.push(message.result as R);
        } else if (message.type === 'error') {
          fail(new Error(`bench worker ${index} failed: ${message.message ?? 'no message'}`));
        }
      });
      child.on('error', (error) => fail(new Error(`bench worker ${index} could not run: ${error.message}`)));
      child.on('exit', (code, signal) => {
        running.delete(child);
        if (code !== 0 && !failed) fail(new Error(`bench worker ${index} exited with ${signal ?? String(code)}`));
        if (running.size > 0 || failed) return;
        if (results.length === children.length) resolve(results);
        else fail(new Error(`${children.length - results.length} bench workers exited without a result`));
      });
    }
  });
}
