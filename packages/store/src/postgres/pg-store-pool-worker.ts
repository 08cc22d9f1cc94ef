// One thread of a pooled PostgreSQL store (pg-store-pool.ts): opens a store of its own on its own
// connection, then runs the calls the opener hands it, each one transaction, and reports each
// result. The pool starts it from the built package (dist/postgres/pg-store-pool-worker.js).
import { parentPort, workerData } from 'node:worker_threads';
import { RandomIdGenerator, isTeamError, systemClock, type Clock, type IdGenerator, type IdPrefix } from '@codex-team/contracts';
import { ProfileCatalog } from '@codex-team/policy-engine';
import type { CallAuthorization, TeamStore } from '../team-store';
import { openPostgresTeamStore } from './pg-team-store';
import {
  ANSWER_FLAG,
  ANSWER_NUMBER_OFFSET,
  ANSWER_TEXT_LENGTH,
  ANSWER_TEXT_OFFSET,
  authorizationsIn,
  revivingBuffers,
  type PoolError,
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

/** Asks the opener's thread, blocking this one until it answers: a clock or id generator there is synchronous. */
function ask(question: PoolQuestion): void {
  Atomics.store(flag, ANSWER_FLAG, 0);
  report(question);
  Atomics.wait(flag, ANSWER_FLAG, 0);
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

function asData(error: unknown): PoolError {
  if (isTeamError(error)) return { team: { code: error.code, reason: error.reason, ...(error.details === undefined ? {} : { details: error.details }), refusal: error.refusal } };
  return { other: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } };
}

async function run(store: TeamStore, request: PoolRequest): Promise<void> {
  if (request.type === 'queue-decision') {
    store.queueAuthzDecision(revivingBuffers(request.input) as Parameters<TeamStore['queueAuthzDecision']>[0]);
    return;
  }
  if (request.type === 'close') {
    await store.close();
    report({ type: 'closed' });
    parentPort?.close();
    return;
  }
  const args = revivingBuffers(request.args) as unknown[];
  const recorded = (): CallAuthorization['recorded'][] => authorizationsIn(args).map((authorization) => authorization.recorded);
  try {
    const method = store[request.method] as (...args: unknown[]) => Promise<unknown>;
    const value: unknown = await Reflect.apply(method, store, args);
    report({ type: 'result', id: request.id, value, recorded: recorded() });
  } catch (error) {
    report({ type: 'failed', id: request.id, error: asData(error), recorded: recorded() });
  }
}

async function main(): Promise<void> {
  let store: TeamStore;
  try {
    store = await openPostgresTeamStore({
      url: data.url,
      ...(data.schema === undefined ? {} : { schema: data.schema }),
      ...(data.time === undefined ? {} : { time: data.time }),
      ...(data.busyRetry === undefined ? {} : { busyRetry: data.busyRetry }),
      ...(data.lockSliceMs === undefined ? {} : { lockSliceMs: data.lockSliceMs }),
      ...(data.migrationsDir === undefined ? {} : { migrationsDir: data.migrationsDir }),
      ...(data.codexThreadCap === undefined ? {} : { codexThreadCap: data.codexThreadCap }),
      ...(data.claimLane === undefined ? {} : { claimLane: data.claimLane }),
      ...(data.rankClaims === undefined ? {} : { rankClaims: data.rankClaims }),
      ...(data.existingOnly === undefined ? {} : { existingOnly: data.existingOnly }),
      ...(data.profiles === undefined ? {} : { profiles: ProfileCatalog.fromPortable(data.profiles) }),
      clock: data.askClock ? askedClock : systemClock,
      ids: data.askIds ? askedIds : new RandomIdGenerator(),
      ...(data.logs ? { logger: { info: (fields: Record<string, unknown>, message: string) => report({ type: 'log', fields, message }) } } : {}),
      ...(data.roundTrips ? { onRoundTrip: (statements) => report({ type: 'round-trip', statements }) } : {}),
    });
  } catch (error) {
    report({ type: 'open-failed', error: asData(error) });
    return;
  }
  parentPort?.on('message', (request: PoolRequest) => void run(store, request));
  report({ type: 'opened' });
}

void main();
