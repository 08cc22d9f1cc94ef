import { isTeamError } from '@codex-team/contracts';
import type { AuthzDecisionInput } from '../team-store';
import { insertDecision } from './authz-ops';
import { outsideCallDeadline, type Op, type Transactions } from './transaction';

/** Queued decisions are written within this long of the first of them... */
export const DECISION_FLUSH_AFTER_MS = 10;
/** ...or as soon as this many are waiting. */
export const DECISION_FLUSH_AT = 64;

interface QueuedDecision {
  input: AuthzDecisionInput;
  at: number;
}

/**
 * Group commit for the decisions of calls that were allowed and changed nothing (reads). Each one
 * written on its own costs a transaction per call, as much as the read itself; queued, they are
 * written together: at the start of the process's next write transaction (so they keep their order
 * before it), when a reader of the decision log asks, when the store closes, or after
 * DECISION_FLUSH_AFTER_MS at the latest. A process killed in that window loses the decisions of its
 * last reads only: refusals, failures and every state change are recorded in their own transaction.
 */
export class DecisionQueue {
  private readonly pending: QueuedDecision[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /**
   * The flush being written, if any. One at a time: while the store is locked, a flush per queued
   * read would pile up writers that each wait for the same lock and crowd the event loop.
   */
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly tx: Transactions,
    private readonly now: () => number,
  ) {
    tx.beforeEachWrite((op) => this.drainInto(op));
  }

  /** Queues a decision, stamped with the time of the call. */
  add(input: AuthzDecisionInput): void {
    this.pending.push({ input, at: this.now() });
    // A flush in flight takes what it finds at its next attempt and schedules the rest when it ends.
    if (this.inFlight !== null) return;
    if (this.pending.length >= DECISION_FLUSH_AT) {
      this.flushSoon(0);
    } else if (this.timer === null) {
      this.flushSoon(DECISION_FLUSH_AFTER_MS);
    }
  }

  /** Writes every queued decision now (a write that drains the queue first, see drainInto). */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight !== null) await this.inFlight;
    if (this.pending.length === 0) return;
    const write = this.tx.write(() => undefined, { sync: 'normal' });
    this.inFlight = write.then(
      () => this.flushEnded(null),
      (error: unknown) => this.flushEnded(error),
    );
    await write;
  }

  /**
   * A flush ended: what was queued meanwhile, or kept by a failed flush (the store stayed locked,
   * the disk was full), is tried again soon; a store deleted or replaced under this process takes
   * none again.
   */
  private flushEnded(error: unknown): void {
    this.inFlight = null;
    if (this.pending.length === 0 || this.timer !== null) return;
    if (isTeamError(error) && error.code === 'STORE_MOVED') return;
    this.flushSoon(DECISION_FLUSH_AFTER_MS);
  }

  private flushSoon(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    // The flush is the process's, not the call's that queued the decision: its own deadline.
    this.timer = outsideCallDeadline(() =>
      setTimeout(() => {
        this.timer = null;
        // flushEnded handles a failure.
        this.flush().catch(() => undefined);
      }, ms),
    );
    this.timer.unref();
  }

  /**
   * Inserts the queued decisions as the first writes of `op`. They leave the queue only once the
   * transaction commits: a rolled-back transaction takes them back with it, and the next write
   * inserts them again.
   */
  private drainInto(op: Op): void {
    const count = this.pending.length;
    if (count === 0) return;
    for (let index = 0; index < count; index += 1) {
      const queued = this.pending[index];
      if (queued !== undefined) insertDecision(op, queued.input, [], queued.at);
    }
    op.afterCommit(() => {
      this.pending.splice(0, count);
    });
  }
}
