// One thread of a pooled PostgreSQL store (pg-store-pool.ts): opens a store of its own on its own
// connection, then runs the calls the opener hands it, each as the store runs it, and reports each
// result. The pool starts it from the built package (dist/postgres/pg-store-pool-worker.js).
import { parentPort, workerData } from 'node:worker_threads';
import { RandomIdGenerator, systemClock, type Clock, type IdGenerator, type IdPrefix } from '@codex-team/contracts';
import { ProfileCatalog } from '@codex-team/policy-engine';
import type { SqliteTeamStore } from '../sqlite-team-store';
import { continuingBusyDeadline } from '../sqlite/transaction';
import type { CallAuthorization, TeamStore } from '../team-store';
import { openPostgresTeamStore } from './pg-team-store';
import { revivingBuffers } from './pg-sync-connection';
import {
  ANSWER_FAILED,
  ANSWER_FLAG,
  ANSWER_NUMBER_OFFSET,
  ANSWER_TEXT_LENGTH,
  ANSWER_TEXT_OFFSET,
  ANSWER_WAIT_MS,
  authorizationsIn,
  errorAsData,
  type PoolQuestion,
  type PoolReport,
  type PoolRequest,
  type PoolWorkerData,
} from './pg-store-pool-protocol';

const data = workerData as PoolWorkerData;
const flag = new Int32Array(data.answer);
const answeredNumber = new Float64Array(data.answer, ANSWER_NUMBER_OFFSET, 1);
const answeredText = new Uint8Array(data.answer, ANSWER_TEXT_OFFSET);

function report(message: PoolReport): void {
  parentPort?.postMessage(message);
}

/**
 * Asks the opener's thread, blocking this one until it answers: a clock or id generator there is
 * synchronous, and that thread never blocks on this one (it only routes calls and awaits them).
 */
function ask(question: PoolQuestion): void {
  Atomics.store(flag, ANSWER_FLAG, 0);
  report(question);
  if (Atomics.wait(flag, ANSWER_FLAG, 0, ANSWER_WAIT_MS) === 'timed-out') throw new Error(`the store's opener did not answer ${question.type} within ${ANSWER_WAIT_MS} ms`);
  if (Atomics.load(flag, ANSWER_TEXT_LENGTH) === ANSWER_FAILED) throw new Error(`the store's opener could not answer ${question.type}: its clock or ids failed`);
}

const askedClock: Clock = {
  now: () => {
    ask({ type: 'now' });
    return answeredNumber[0] ?? Number.NaN;
  },
};

const askedIds: IdGenerator = {
  next: (prefix: IdPrefix) => {
    ask({ type: 'id', prefix });
    return Buffer.from(answeredText.subarray(0, Atomics.load(flag, ANSWER_TEXT_LENGTH))).toString('utf8');
  },
};

async function run(store: SqliteTeamStore, request: PoolRequest): Promise<void> {
  if (request.type === 'queue-decision') {
    store.queueAuthzDecision(revivingBuffers(request.input) as Parameters<TeamStore['queueAuthzDecision']>[0]);
    return;
  }
  if (request.type === 'close') {
    let failure: unknown = null;
    await store.close().catch((error: unknown) => (failure = error));
    report({ type: 'closed', error: failure === null ? null : errorAsData(failure) });
    parentPort?.close();
    return;
  }
  const args = revivingBuffers(request.args) as unknown[];
  // Found before the call, in the order the opener found the caller's own.
  const authorizations = authorizationsIn(args);
  const recorded = (): CallAuthorization['recorded'][] => authorizations.map((authorization) => authorization.recorded);
  const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
  const call = (): Promise<unknown> => Reflect.apply(method, store, args) as Promise<unknown>;
  try {
    const value = await (request.deadlineStart === null ? call() : continuingBusyDeadline(request.deadlineStart, call));
    report({ type: 'result', id: request.id, value, recorded: recorded(), lost: !store.open });
  } catch (error) {
    // A connection that failed stays closed: the opener stops sending calls here.
    report({ type: 'failed', id: request.id, error: errorAsData(error), recorded: recorded(), lost: !store.open });
  }
}

async function main(): Promise<void> {
  let store: SqliteTeamStore;
  try {
    const profiles = data.profiles === undefined ? undefined : ProfileCatalog.fromPortable(data.profiles);
    if (profiles !== undefined && profiles.error !== null && data.logs) report({ type: 'log', fields: { err: profiles.error.message }, message: 'a store thread serves the built-in profiles only: the user profiles could not be read' });
    store = await openPostgresTeamStore({
      ...data.store,
      ...(profiles === undefined ? {} : { profiles: profiles.catalog }),
      clock: data.askClock ? askedClock : systemClock,
      ids: data.askIds ? askedIds : new RandomIdGenerator(),
      ...(data.logs ? { logger: { info: (fields: Record<string, unknown>, message: string) => report({ type: 'log', fields, message }) } } : {}),
      ...(data.roundTrips ? { onRoundTrip: (statements) => report({ type: 'round-trip', statements }) } : {}),
    });
  } catch (error) {
    report({ type: 'open-failed', error: errorAsData(error) });
    return;
  }
  parentPort?.on('message', (request: PoolRequest) => void run(store, request));
  report({ type: 'opened' });
}

void main();
