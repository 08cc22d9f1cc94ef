import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TeamError, type Clock, type ErrorCode, type IdGenerator } from '@codex-team/contracts';
import type { AuthzDecisionInput, CallAuthorization, TeamStore } from '../team-store';
import {
  ANSWER_BYTES,
  ANSWER_FLAG,
  ANSWER_NUMBER_OFFSET,
  ANSWER_TEXT_LENGTH,
  ANSWER_TEXT_OFFSET,
  authorizationsIn,
  revivingBuffers,
  type PoolError,
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
  const other = new Error(error.other.message);
  other.name = error.other.name;
  return other;
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
  readonly worker: Worker;
  readonly opened: Promise<void>;
  /** Why the thread stopped, once it has: its calls fail at once from then on. */
  stopped: Error | null = null;
  private closed: (() => void) | null = null;

  constructor(data: Omit<PoolWorkerData, 'answer'>, options: PooledPostgresTeamStoreOptions) {
    this.worker = new Worker(workerScript(), { workerData: { ...data, answer: this.answer } satisfies PoolWorkerData });
    this.opened = new Promise((resolve, reject) => {
      this.worker.on('message', (report: PoolReport) => this.take(report, options, resolve, reject));
      this.worker.once('error', (error) => this.failAll(error, reject));
      this.worker.once('exit', (code) => this.failAll(new Error(`a store thread exited (${code})`), reject));
    });
  }

  private take(report: PoolReport, options: PooledPostgresTeamStoreOptions, opened: () => void, failed: (error: Error) => void): void {
    switch (report.type) {
      case 'now':
        new Float64Array(this.answer, ANSWER_NUMBER_OFFSET, 1)[0] = options.clock?.now() ?? Date.now();
        this.answered();
        return;
      case 'id': {
        const bytes = Buffer.from(options.ids?.next(report.prefix as Parameters<IdGenerator['next']>[0]) ?? '', 'utf8');
        new Uint8Array(this.answer, ANSWER_TEXT_OFFSET).set(bytes);
        Atomics.store(this.flag, ANSWER_TEXT_LENGTH, bytes.length);
        this.answered();
        return;
      }
      case 'opened':
        opened();
        return;
      case 'open-failed':
        failed(asError(report.error));
        return;
      case 'log':
        options.logger?.info(report.fields, report.message);
        return;
      case 'round-trip':
        options.onRoundTrip?.(report.statements);
        return;
      case 'result':
        this.settle(report.id, report.recorded)?.resolve(revivingBuffers(report.value));
        return;
      case 'failed':
        this.settle(report.id, report.recorded)?.reject(asError(report.error));
        return;
      case 'closed':
        this.closed?.();
        return;
    }
  }

  private answered(): void {
    Atomics.store(this.flag, ANSWER_FLAG, 1);
    Atomics.notify(this.flag, ANSWER_FLAG);
  }

  private settle(id: number, recorded: CallAuthorization['recorded'][]): PendingCall | undefined {
    const call = this.calls.get(id);
    this.calls.delete(id);
    for (const [index, authorization] of (call?.authorizations ?? []).entries()) authorization.recorded = recorded[index] ?? null;
    return call;
  }

  /** The thread stopped: every call in flight fails with why, and so does every later one. */
  private failAll(error: Error, failedToOpen: (error: Error) => void): void {
    this.stopped ??= error;
    failedToOpen(error);
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
    this.closed?.();
  }

  send(request: PoolRequest): void {
    this.worker.postMessage(request);
  }

  /** Closes its store (writing its queued decisions), then ends the thread. */
  async close(): Promise<void> {
    if (this.stopped !== null) return;
    const closed = new Promise<void>((resolve) => (this.closed = resolve));
    this.send({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }
}

/**
 * A TeamStore whose calls run on a pool of threads, each with a store of its own on a connection
 * of its own, so one process (an HTTP server) runs as many agents' calls at once as it has threads,
 * where one store runs one at a time: its statements block the thread that runs it. Each call is
 * still one transaction on one connection, run by the very operations of openPostgresTeamStore; a
 * call goes to the thread with the fewest in flight.
 *
 * Read decisions (`queueAuthzDecision`) all go to the first thread, which writes them with its next
 * write, after 10 ms, or when `listAuthzDecisions` (also run there) reads them: one queue, as in one
 * store. A write on another thread may therefore commit before them, where one store writes them
 * first; they keep their order among themselves.
 */
export async function openPooledPostgresTeamStore(options: PooledPostgresTeamStoreOptions): Promise<TeamStore> {
  const count = options.threads ?? DEFAULT_STORE_THREADS;
  if (!Number.isInteger(count) || count < 1) throw new TeamError('INVALID_INPUT', `a pooled store needs a whole number of threads, at least 1 (got ${count})`);
  const data: Omit<PoolWorkerData, 'answer'> = {
    url: options.url,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.time === undefined ? {} : { time: options.time }),
    ...(options.busyRetry === undefined ? {} : { busyRetry: options.busyRetry }),
    ...(options.lockSliceMs === undefined ? {} : { lockSliceMs: options.lockSliceMs }),
    ...(options.migrationsDir === undefined ? {} : { migrationsDir: options.migrationsDir }),
    ...(options.codexThreadCap === undefined ? {} : { codexThreadCap: options.codexThreadCap }),
    ...(options.claimLane === undefined ? {} : { claimLane: options.claimLane }),
    ...(options.rankClaims === undefined ? {} : { rankClaims: options.rankClaims }),
    ...(options.existingOnly === undefined ? {} : { existingOnly: options.existingOnly }),
    ...(options.profiles === undefined ? {} : { profiles: options.profiles.portable() }),
    askClock: options.clock !== undefined,
    askIds: options.ids !== undefined,
    logs: options.logger !== undefined,
    roundTrips: options.onRoundTrip !== undefined,
  };
  const threads: PoolThread[] = [];
  try {
    // One after another: the first applies any pending migration, the others find the store current.
    for (let index = 0; index < count; index += 1) {
      const thread = new PoolThread(data, options);
      threads.push(thread);
      await thread.opened;
    }
  } catch (error) {
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
    throw error;
  }
  return pooledStore(threads);
}

function pooledStore(threads: readonly PoolThread[]): TeamStore {
  const [decisionThread] = threads;
  if (decisionThread === undefined) throw new Error('a pool without threads');
  let nextId = 0;
  let closing: Promise<void> | null = null;
  const call = (method: PooledMethod, args: unknown[]): Promise<unknown> => {
    if (closing !== null) return Promise.reject(new TeamError('INTERNAL', 'the store is closed'));
    const live = threads.filter((each) => each.stopped === null);
    const thread = method === 'listAuthzDecisions' ? decisionThread : live.reduce((least, each) => (each.calls.size < least.calls.size ? each : least), live[0] ?? decisionThread);
    if (thread.stopped !== null) return Promise.reject(new TeamError('INTERNAL', `the store's thread stopped: ${thread.stopped.message}`));
    const id = (nextId += 1);
    return new Promise((resolve, reject) => {
      thread.calls.set(id, { authorizations: authorizationsIn(args), resolve, reject });
      thread.send({ type: 'call', id, method, args });
    });
  };
  const store: Partial<Record<keyof TeamStore, unknown>> = {
    queueAuthzDecision: (input: AuthzDecisionInput): void => {
      if (decisionThread.stopped === null) decisionThread.send({ type: 'queue-decision', input });
    },
    close: (): Promise<void> => (closing ??= Promise.all(threads.map((thread) => thread.close())).then(() => undefined)),
  };
  for (const method of POOLED_METHODS) store[method] = (...args: unknown[]) => call(method, args);
  void EVERY_METHOD_LISTED;
  return store as TeamStore;
}
