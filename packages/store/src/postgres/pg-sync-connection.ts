import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { TeamError } from '@codex-team/contracts';

/** One answer of the bridge: a statement's rows and the number of rows it changed. */
export interface PgResult {
  /** Objects by column name, or arrays of values (`array`). */
  rows: unknown[];
  rowCount: number;
}

/** What the server said when it refused a statement (SQLSTATE in `code`). */
interface PgFailure {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
}

/** A statement as the store sent it: PostgreSQL's text and its bound values (none for a simple query). */
export interface SentStatement {
  text: string;
  values?: unknown[];
}

/** A statement to send: PostgreSQL's text, its values, and whether rows come back as arrays. */
export interface PgQuery extends SentStatement {
  array?: boolean;
}

type Answer = { ok: PgResult } | { failure: PgFailure };
/** `lost`: the worker's client has failed for good (the server ended the connection, the network dropped it). */
type Reply = (Answer | { batch: Answer[] } | { closed: true }) & { lost?: boolean };

/**
 * The worker's program, plain JavaScript evaluated by `new Worker(..., { eval: true })` so that the
 * built package ships no extra file: it owns one `pg` client and answers one request at a time on
 * its port, then wakes the blocked caller through the shared flag. Values come back as SQLite gives
 * them: BIGINT, NUMERIC (COUNT, SUM) as numbers, booleans as 1 or 0.
 */
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
const number = (text) => Number(text);
const types = {
  getTypeParser(oid, format) {
    if (oid === 20 || oid === 1700) return number;
    if (oid === 16) return (text) => (text === 't' ? 1 : 0);
    return pg.types.getTypeParser(oid, format);
  },
};
// Pipelined: the statements of one batch go out together, one round trip for all of them.
const client = new pg.Client({ connectionString: workerData.url, types, pipeline: true, ...(workerData.options ? { options: workerData.options } : {}) });
let broken = null;
client.on('error', (error) => { broken = error; });
const connected = client.connect().catch((error) => { broken = error; });
const names = new Map();
function reply(request, message) {
  port.postMessage({ seq: request.seq, ...message, lost: broken !== null });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
function failure(error) {
  return { failure: { message: String(error && error.message || error), code: error && error.code, detail: error && error.detail, constraint: error && error.constraint } };
}
async function run(statement) {
  try {
    let query;
    if (statement.values === undefined) {
      query = { text: statement.text };
    } else {
      // Named: the server parses and plans each statement text once per connection.
      let name = names.get(statement.text);
      if (name === undefined) names.set(statement.text, (name = 's' + names.size));
      query = { name, text: statement.text, values: statement.values };
    }
    if (statement.array) query.rowMode = 'array';
    const result = await client.query(query);
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return { ok: { rows: last.rows, rowCount: last.rowCount ?? 0 } };
  } catch (error) {
    return failure(error);
  }
}
async function answer(request) {
  if (request.close) {
    await client.end().catch(() => undefined);
    reply(request, { closed: true });
    return;
  }
  await connected;
  if (broken !== null) return reply(request, failure(broken));
  if (request.batch === undefined) return reply(request, await run(request));
  // Every statement is sent before the first answer is awaited.
  reply(request, { batch: await Promise.all(request.batch.map(run)) });
}
let queue = Promise.resolve();
port.on('message', (request) => { queue = queue.then(() => answer(request)); });
`;

/** How long one statement may take before the caller gives up on the connection (it is then closed). */
const STATEMENT_WAIT_MS = 120_000;

/** How long an answer the worker flagged may take to show on the port. */
const REPLY_GRACE_MS = 1_000;

/**
 * A PostgreSQL connection the calling thread uses synchronously: a worker thread owns the `pg`
 * client, and each statement blocks the caller (Atomics.wait on a shared flag) until the worker
 * has the answer, which the caller then takes off the port (receiveMessageOnPort). This keeps the
 * store's operations synchronous functions inside one transaction, as they are on SQLite, whose
 * calls also block the event loop. The process's other calls wait meanwhile: the bound is the
 * transaction's round trips, not the lock waits (those are short slices, see PgTransactionRunner).
 */
export class PgSyncConnection {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private closed = false;
  /** The number of the latest request; the worker's answer carries it back. */
  private seq = 0;
  /** Statements whose answers nobody reads, sent ahead of the next statement in its round trip. */
  private readonly waiting: string[] = [];

  private readonly onRoundTrip: ((statements: SentStatement[]) => void) | undefined;

  constructor(url: string, options?: { searchPath?: string; onRoundTrip?: (statements: SentStatement[]) => void }) {
    this.onRoundTrip = options?.onRoundTrip;
    if (options?.searchPath !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.searchPath)) {
      throw new TeamError('INVALID_INPUT', `not a schema name: ${options.searchPath}`);
    }
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        url,
        pgPath: require.resolve('pg'),
        flag: shared,
        port: port2,
        options: options?.searchPath === undefined ? undefined : `-c search_path=${options.searchPath}`,
      },
      transferList: [port2],
    });
    // Neither keeps the process alive: a process that is done exits even with the store open.
    this.worker.unref();
    this.port.unref();
  }

  get open(): boolean {
    return !this.closed;
  }

  /**
   * Runs one statement and returns its answer; a refusal of the server is thrown as an Error with
   * its SQLSTATE in `code`. Without `values` the text goes as a simple query (several statements,
   * no parameters: BEGIN; SET LOCAL ...; SELECT ...), answering the last statement's rows.
   */
  query(text: string, values?: unknown[], options: { array?: boolean } = {}): PgResult {
    if (this.closed) throw new TeamError('INTERNAL', 'the store is closed; nothing changed', { closed: true });
    if (this.waiting.length > 0) {
      const answers = this.queryBatch([{ text, ...(values === undefined ? {} : { values }), array: options.array === true }]);
      const refused = answers.find((answer) => answer instanceof Error);
      if (refused !== undefined) throw refused;
      return answers[answers.length - 1] as PgResult;
    }
    this.onRoundTrip?.([values === undefined ? { text } : { text, values }]);
    const reply = this.call({ text, values, array: options.array === true });
    if (!('ok' in reply || 'failure' in reply)) throw new TeamError('INTERNAL', 'the store is closed; nothing changed', { closed: true });
    const answer = fromAnswer(reply);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  /**
   * Sends `text` (a statement without values whose answer nobody reads, such as SAVEPOINT) in the
   * round trip of the next statement, ahead of it. Its refusal is that statement's: the next one in
   * the transaction is refused too (25P02).
   */
  sendWithNext(text: string): void {
    this.waiting.push(text);
  }

  /** Takes `text` back if it is still waiting; false when it was sent. */
  unsend(text: string): boolean {
    const index = this.waiting.lastIndexOf(text);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /**
   * Sends `statements` together, in one round trip (the client pipelines them), and answers each:
   * its result, or the server's refusal as an Error with its SQLSTATE in `code` (a statement after
   * a refused one in a transaction is refused too, 25P02). Nothing is thrown for a refusal: the
   * caller decides what each one means. Statements waiting to be sent (sendWithNext) go first, and
   * their answers come first.
   */
  queryBatch(given: readonly PgQuery[]): (PgResult | Error)[] {
    if (this.closed) throw new TeamError('INTERNAL', 'the store is closed; nothing changed', { closed: true });
    const statements: PgQuery[] = [...this.waiting.splice(0).map((text) => ({ text })), ...given];
    this.onRoundTrip?.(statements.map((statement) => (statement.values === undefined ? { text: statement.text } : { text: statement.text, values: statement.values })));
    const reply = this.call({ batch: statements.map((statement) => ({ text: statement.text, values: statement.values, array: statement.array === true })) });
    if (!('batch' in reply) || reply.batch.length !== statements.length) {
      this.abandon();
      throw new TeamError('INTERNAL', 'the PostgreSQL bridge answered a batch with something else; the connection is closed, nothing was committed by this call');
    }
    return reply.batch.map(fromAnswer);
  }

  /** Ends the client (PostgreSQL rolls back whatever transaction it had open), then the worker. */
  close(): void {
    if (this.closed) return;
    try {
      this.call({ close: true }, 5_000);
    } catch {
      // The worker is terminated below either way.
    }
    this.closed = true;
    void this.worker.terminate();
    this.port.close();
  }

  private call(request: Record<string, unknown>, waitMs = STATEMENT_WAIT_MS): Reply {
    this.seq += 1;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...request, seq: this.seq });
    if (Atomics.wait(this.flag, 0, 0, waitMs) === 'timed-out') {
      this.abandon();
      throw new TeamError('INTERNAL', `PostgreSQL did not answer within ${waitMs} ms; the connection is closed, nothing was committed by this call`);
    }
    const reply = this.replyTo(this.seq);
    if (reply === undefined) {
      this.abandon();
      throw new TeamError('INTERNAL', 'the PostgreSQL bridge lost an answer; the connection is closed, nothing was committed by this call');
    }
    // This answer (the refusal that says why) is still the caller's; every later call finds the store closed.
    if (reply.lost === true) this.abandon();
    return reply;
  }

  /**
   * The worker's answer to request `seq`. An answer to an earlier request is dropped, never taken for
   * this one (a caller must never read another statement's rows); one that is not on the port yet
   * when the flag wakes the caller is waited for, briefly. Undefined when it does not come.
   */
  private replyTo(seq: number): Reply | undefined {
    const deadline = performance.now() + REPLY_GRACE_MS;
    for (;;) {
      const message = receiveMessageOnPort(this.port)?.message as (Reply & { seq?: number }) | undefined;
      if (message?.seq === seq) return message;
      if (message !== undefined) continue;
      if (performance.now() >= deadline) return undefined;
      // The flag is 1 (the worker answered): this waits 1 ms.
      Atomics.wait(this.flag, 0, 1, 1);
    }
  }

  /** The connection's state is unknown: close it, so nothing half-done is ever committed. */
  private abandon(): void {
    this.closed = true;
    void this.worker.terminate();
  }
}

/** A statement's answer as the store reads it: rows with Buffers, or the refusal as an Error. */
function fromAnswer(answer: Answer): PgResult | Error {
  if ('failure' in answer) return Object.assign(new Error(answer.failure.message), answer.failure);
  return { rows: answer.ok.rows.map(revivingBuffers), rowCount: answer.ok.rowCount };
}

/**
 * Buffers cross threads as plain Uint8Arrays: makes each a Buffer again, in place in the arrays and
 * objects that hold it. The store reads byte columns as Buffers, as from SQLite, and a pooled
 * store's callers get a checkpoint's state as one.
 */
export function revivingBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) value[index] = revivingBuffers(item);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = revivingBuffers(record[key]);
  }
  return value;
}
