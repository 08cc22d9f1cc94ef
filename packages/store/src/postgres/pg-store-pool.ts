import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TeamError, type Clock, type ErrorCode, type IdGenerator } from '@codex-team/contracts';
import { busyDeadlineStart } from '../sqlite/transaction';
import type { AuthzDecisionInput, CallAuthorization, TeamStore } from '../team-store';
import { revivingBuffers } from './pg-sync-connection';
import {
  ANSWER_BYTES,
  ANSWER_FAILED,
  ANSWER_FLAG,
  ANSWER_NUMBER_OFFSET,
  ANSWER_TEXT_BYTES,
  ANSWER_TEXT_LENGTH,
  ANSWER_TEXT_OFFSET,
  authorizationsIn,
  type PoolError,
  type PoolQuestion,
  type PoolReport,
  type PoolRequest,
  type PoolWorkerData,
  type PooledMethod,
} from './pg-store-pool-protocol';
import type { PostgresTeamStoreOptions } from './pg-team-store';

/** Threads of a pooled store unless told otherwise: calls of as many agents run at once. */
export const DEFAULT_STORE_THREADS = 2;

export interface PooledPostgresTeamStoreOptions extends Omit<PostgresTeamStoreOptions, 'clock' | 'ids'> {
  /** Threads, each with a store and a connection of its own. @default DEFAULT_STORE_THREADS */
  threads?: number;
  /**
   * A clock of the opener's (tests: a FakeClock), read by every thread through this one.
   * @default each thread reads the system clock
   */
  clock?: Clock;
  /** Ids of the opener's (tests: a seeded generator), drawn by every thread through this one. @default random ids in each thread */
  ids?: IdGenerator;
}

/** The store's methods the threads run, every one listed once (checked against TeamStore below). */
const POOLED_METHODS = [
  'createTeam', 'spawnAgent', 'startChild', 'takeOverChild', 'readTree', 'readTreeThreads', 'joinAgent', 'resumeAgent',
  'reissueLeadTicket', 'findAgentByCodexThread', 'verifyBinding', 'disconnectAgent', 'heartbeatAgent', 'recoveryView',
  'applyRecovery', 'readBrief', 'checkpointTeam', 'listCheckpoints', 'readCheckpoint', 'restartAgent', 'getStatus',
  'finalizeTeam', 'createTasks', 'listTasks', 'claimNextTask', 'claimTask', 'updateTask', 'completeTask', 'releaseTask',
  'sendMessage', 'readInbox', 'publishArtifact', 'readArtifact', 'listArtifacts', 'setProfile', 'recordDecision', 'rebalance',
  'rebalanceOnRecord', 'rebalanceInput', 'listTeams', 'readTeam', 'listAuditEvents', 'recordAuthzDecision',
  'listAuthzDecisions', 'setMode', 'readMode', 'submitPlan', 'reviewPlan', 'recordHookBlock', 'readTask', 'callScope',
  'findTicketHolder', 'recordMeasuredUsage', 'operatorClose', 'operatorSend', 'pruneTeams',
] as const satisfies readonly PooledMethod[];
/** A compile error names any method of TeamStore the list above misses. */
const EVERY_METHOD_LISTED: Exclude<PooledMethod, (typeof POOLED_METHODS)[number]> extends never ? true : never = true;

/**
 * A thread's program: beside this module once built (dist/postgres); when this module runs from
 * its sources (the specs), the built one, since a thread runs JavaScript only.
 */
function workerScript(): string {
  const beside = join(__dirname, 'pg-store-pool-worker.js');
  return existsSync(beside) ? beside : join(__dirname, '..', '..', 'dist', 'postgres', 'pg-store-pool-worker.js');
}

function asError(error: PoolError): Error {
  if ('team' in error) {
    const { code, reason, details, refusal } = error.team;
    return new TeamError(code as ErrorCode, reason, details, (refusal ?? null) as TeamError['refusal']);
  }
  return Object.assign(new Error(error.other.message), { name: error.other.name, ...(error.other.stack === undefined ? {} : { stack: error.other.stack }) });
}

interface PendingCall {
  /** The caller's call authorizations, to fill in as the thread's store filled in its copies. */
  authorizations: CallAuthorization[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One thread of the pool: its worker, its calls in flight, and the buffer it is answered in. */
class PoolThread {
  readonly calls = new Map<number, PendingCall>();
  private readonly answer = new SharedArrayBuffer(ANSWER_BYTES);
  private readonly flag = new Int32Array(this.answer);
  private readonly worker: Worker;
  readonly opened: Promise<void>;
  /** Why the thread stopped, once it has: no call goes to it from then on. */
  stopped: TeamError | null = null;
  private closing: Promise<void> | null = null;
  private whenClosed: ((error: Error | null) => void) | null = null;

  constructor(
    readonly index: number,
    data: Omit<PoolWorkerData, 'answer'>,
    private readonly options: PooledPostgresTeamStoreOptions,
  ) {
    this.worker = new Worker(workerScript(), { workerData: { ...data, answer: this.answer } satisfies PoolWorkerData });
    this.opened = new Promise((resolve, reject) => {
      this.worker.on('message', (report: PoolReport) => this.take(report, resolve, reject));
      this.worker.once('error', (error) => this.stop(`it failed: ${error.message}`, reject));
      this.worker.once('exit', (code) => this.stop(`it exited (${code})`, reject));
    });
  }

  private take(report: PoolReport, opened: () => void, failedToOpen: (error: Error) => void): void {
    switch (report.type) {
      case 'now':
      case 'id':
        this.answerQuestion(report);
        return;
      case 'opened':
        // Idle, the thread does not keep the process alive (as one store's connection does not).
        this.worker.unref();
        opened();
        return;
      case 'open-failed':
        // The opener gets the store's own refusal (SCHEMA_MISMATCH, FILE_ACCESS...), not the stop.
        failedToOpen(asError(report.error));
        this.stop('it could not open its store', failedToOpen);
        return;
      case 'log':
        this.options.logger?.info(report.fields, report.message);
        return;
      case 'round-trip':
        this.options.onRoundTrip?.(report.statements);
        return;
      case 'result':
      case 'failed': {
        const call = this.settle(report.id, report.recorded);
        const error = report.type === 'failed' ? asError(report.error) : null;
        // Stopped before the caller hears back, so neither it nor any call after it is sent here.
        if (report.lost) this.lose(error?.message ?? 'a call found it closed', failedToOpen);
        if (report.type === 'result') call?.resolve(revivingBuffers(report.value));
        else call?.reject(error ?? new Error('no error'));
        return;
      }
      case 'closed':
        this.whenClosed?.(report.error === null ? null : asError(report.error));
        return;
    }
  }

  /** Answers the thread's question from the opener's clock or ids, or says they failed; never leaves the thread blocked. */
  private answerQuestion(question: PoolQuestion): void {
    let length = 0;
    try {
      if (question.type === 'now') {
        new Float64Array(this.answer, ANSWER_NUMBER_OFFSET, 1)[0] = this.options.clock?.now() ?? Date.now();
      } else {
        const bytes = Buffer.from(this.options.ids?.next(question.prefix as Parameters<IdGenerator['next']>[0]) ?? '', 'utf8');
        if (bytes.length > ANSWER_TEXT_BYTES) throw new Error(`an id of ${bytes.length} bytes (at most ${ANSWER_TEXT_BYTES})`);
        new Uint8Array(this.answer, ANSWER_TEXT_OFFSET).set(bytes);
        length = bytes.length;
      }
    } catch {
      length = ANSWER_FAILED;
    }
    Atomics.store(this.flag, ANSWER_TEXT_LENGTH, length);
    Atomics.store(this.flag, ANSWER_FLAG, 1);
    Atomics.notify(this.flag, ANSWER_FLAG);
  }

  private settle(id: number, recorded: CallAuthorization['recorded'][]): PendingCall | undefined {
    const call = this.calls.get(id);
    this.calls.delete(id);
    // The thread found its copies in the order this one finds the caller's (authorizationsIn).
    for (const [index, authorization] of (call?.authorizations ?? []).entries()) authorization.recorded = recorded[index] ?? null;
    // Idle and not closing, the thread does not keep the process alive.
    if (this.calls.size === 0 && this.closing === null) this.worker.unref();
    return call;
  }

  /** Its store's connection failed for good: logged once, then the thread stops. */
  private lose(why: string, failedToOpen: (error: Error) => void): void {
    if (this.stopped !== null) return;
    this.options.logger?.info({ store_thread: this.index, err: why }, 'a store thread lost its connection for good; the other threads serve on');
    this.stop(`its connection failed: ${why}`, failedToOpen);
  }

  /** The thread stopped: every call in flight fails with why, no later one comes here, and the thread ends. */
  private stop(why: string, failedToOpen: (error: Error) => void): void {
    const error = new TeamError('INTERNAL', `a store thread stopped: ${why}`);
    this.stopped ??= error;
    failedToOpen(error);
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
    this.whenClosed?.(null);
    this.worker.unref();
    void this.worker.terminate();
  }

  call(id: number, method: PooledMethod, args: unknown[], call: PendingCall): void {
    const request: PoolRequest = { type: 'call', id, method, args, deadlineStart: busyDeadlineStart() };
    // Sent first: arguments that cannot cross to the thread (DataCloneError) throw here, leaving no call behind.
    this.worker.postMessage(request);
    this.calls.set(id, call);
    // A call in flight keeps the process alive until it is answered.
    this.worker.ref();
  }

  queueDecision(input: AuthzDecisionInput): void {
    const request: PoolRequest = { type: 'queue-decision', input };
    this.worker.postMessage(request);
  }

  /** Closes its store (writing its queued decisions), then ends the thread; rejects when that write failed. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stopped !== null) return;
      const closed = new Promise<Error | null>((resolve) => (this.whenClosed = resolve));
      this.worker.ref();
      const request: PoolRequest = { type: 'close' };
      this.worker.postMessage(request);
      const failure = await closed;
      await this.worker.terminate();
      if (failure !== null) throw failure;
    })();
    return this.closing;
  }

  /** Ends the thread without closing its store (a pool that failed to open). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * A TeamStore whose calls run on a pool of threads, each with a store of its own on a connection
 * of its own, so one process (an HTTP server) runs as many agents' calls at once as it has threads,
 * where one store runs one at a time: its statements block the thread that runs it. A call runs on
 * one thread, as one store runs it (the same operations, the same transactions), and keeps its
 * tool call's one busy deadline, counted from when the tool call began. It goes to the live thread
 * with the fewest calls in flight, ties taken in turn. A thread whose connection fails for good is
 * logged and ended, its calls in flight failed; the others serve on.
 *
 * Read decisions (`queueAuthzDecision`) all go to the first live thread, which writes them with its
 * next write, within 10 ms, or when `listAuthzDecisions` (also run there) reads them: one queue, as
 * in one store. A write on another thread may therefore commit before them, where one store writes
 * them first; they keep their order among themselves.
 *
 * Each thread loads its profiles from the same directories as `profiles`; a thread rereads them
 * on a miss of its own, as one catalog does.
 */
export async function openPooledPostgresTeamStore(options: PooledPostgresTeamStoreOptions): Promise<TeamStore> {
  const { threads: count = DEFAULT_STORE_THREADS, clock, ids, profiles, logger, onRoundTrip, ...plain } = options;
  if (!Number.isInteger(count) || count < 1) throw new TeamError('INVALID_INPUT', `a pooled store needs a whole number of threads, at least 1 (got ${count})`);
  const data: Omit<PoolWorkerData, 'answer'> = {
    store: plain,
    ...(profiles === undefined ? {} : { profiles: profiles.portable() }),
    askClock: clock !== undefined,
    askIds: ids !== undefined,
    logs: logger !== undefined,
    roundTrips: onRoundTrip !== undefined,
  };
  const threads: PoolThread[] = [];
  try {
    // One after another: the first applies any pending migration, the others find the store current.
    for (let index = 0; index < count; index += 1) {
      const thread = new PoolThread(index, data, options);
      threads.push(thread);
      await thread.opened;
    }
  } catch (error) {
    await Promise.all(threads.map((thread) => thread.close().catch(() => thread.terminate())));
    throw error;
  }
  return pooledStore(threads);
}

function pooledStore(threads: readonly PoolThread[]): TeamStore {
  let nextId = 0;
  let turn = 0;
  let closing: Promise<void> | null = null;
  const live = (): PoolThread[] => threads.filter((thread) => thread.stopped === null);
  const stoppedError = (): TeamError => threads[0]?.stopped ?? new TeamError('INTERNAL', 'every store thread stopped');
  /** The live thread with the fewest calls in flight; ties in turn, so no thread takes every idle call. */
  const leastBusy = (candidates: PoolThread[]): PoolThread | undefined => {
    turn += 1;
    let least: PoolThread | undefined;
    for (let step = 0; step < candidates.length; step += 1) {
      const each = candidates[(turn + step) % candidates.length];
      if (each !== undefined && (least === undefined || each.calls.size < least.calls.size)) least = each;
    }
    return least;
  };
  const call = (method: PooledMethod, args: unknown[]): Promise<unknown> => {
    if (closing !== null) return Promise.reject(new TeamError('INTERNAL', 'the store is closed'));
    const candidates = live();
    const thread = method === 'listAuthzDecisions' ? candidates[0] : leastBusy(candidates);
    if (thread === undefined) return Promise.reject(stoppedError());
    nextId += 1;
    const id = nextId;
    return new Promise((resolve, reject) => {
      try {
        thread.call(id, method, args, { authorizations: authorizationsIn(args), resolve, reject });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };
  const store: Partial<Record<keyof TeamStore, unknown>> = {
    queueAuthzDecision: (input: AuthzDecisionInput): void => live()[0]?.queueDecision(input),
    close: (): Promise<void> =>
      (closing ??= Promise.allSettled(threads.map((thread) => thread.close())).then((outcomes) => {
        const failed = outcomes.find((outcome) => outcome.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
      })),
  };
  for (const method of POOLED_METHODS) store[method] = (...args: unknown[]) => call(method, args);
  void EVERY_METHOD_LISTED;
  return store as TeamStore;
}
