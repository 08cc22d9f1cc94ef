import { fork, type ChildProcess } from 'node:child_process';

/** What one worker answered for one round. */
export interface RoundResult {
  ok: boolean;
  code?: string;
}

/**
 * Worker processes that act once per round, all at once: each is forked with its own arguments,
 * says `ready`, then answers every `go` with one `result`; `error` messages are collected. The cap
 * races (thread-cap-race, tree-cap-race) drive their workers through it, so only their check
 * differs. Used by specs only; not exported from the package.
 */
export class RaceRounds {
  readonly errors: string[] = [];
  private results: RoundResult[] = [];
  private onResults: () => void = () => undefined;

  private constructor(private readonly children: ChildProcess[]) {}

  /** Forks one worker per argument list and resolves once every worker said `ready`. */
  static async start(worker: string, argLists: readonly string[][]): Promise<RaceRounds> {
    let ready = 0;
    let onReady: () => void = () => undefined;
    const allReady = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    const children = argLists.map((args) => fork(worker, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const rounds = new RaceRounds(children);
    for (const child of children) {
      child.on('message', (raw: unknown) => {
        const message = raw as { type: string; ok?: boolean; code?: string; message?: string };
        if (message.type === 'ready' && (ready += 1) === children.length) onReady();
        if (message.type === 'error') rounds.errors.push(message.message ?? '');
        if (message.type === 'result') {
          rounds.results.push({ ok: message.ok === true, ...(message.code === undefined ? {} : { code: message.code }) });
          if (rounds.results.length === children.length) rounds.onResults();
        }
      });
    }
    await allReady;
    return rounds;
  }

  /** Tells every worker to go and resolves with their answers once all have answered. */
  async round(round: number): Promise<RoundResult[]> {
    this.results = [];
    const settled = new Promise<void>((resolve) => {
      this.onResults = resolve;
    });
    for (const child of this.children) child.send({ type: 'go', round });
    await settled;
    return this.results;
  }

  /** Tells every worker to stop and waits for each to exit. */
  async stop(): Promise<void> {
    for (const child of this.children) child.send({ type: 'stop' });
    await Promise.all(this.children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  }
}
