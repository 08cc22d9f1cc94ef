import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionBinding, TeamStore } from '@codex-team/store';
import type { Logger } from 'pino';
import { EMPTY_ROLLOUT_STATE, rolloutResponses, type RolloutUsageState } from './rollout-usage';

/** Reads at most this much of a rollout per sync; the rest waits for the next one. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * After a search of the sessions tree found no rollout for the thread (a thread of another machine
 * behind an HTTP server, a Codex that keeps none), syncs after calls search again at most this
 * often: each search lists every day folder of the Codex home. The session's end always searches.
 */
export const SEARCH_AGAIN_AFTER_MISS_MS = 60_000;

/** Folders sorted newest first (YYYY, MM, DD names sort by time). */
function foldersNewestFirst(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

/**
 * The session rollout of Codex thread `threadId` under `codexHome` (`sessions/YYYY/MM/DD/
 * rollout-<time>-<thread id>.jsonl`), newest day first, or null when there is none (another
 * machine's thread, a Codex that keeps none, a home this process may not read).
 */
export function findRollout(codexHome: string, threadId: string): string | null {
  const suffix = `-${threadId}.jsonl`;
  const sessions = join(codexHome, 'sessions');
  for (const year of foldersNewestFirst(sessions)) {
    for (const month of foldersNewestFirst(join(sessions, year))) {
      for (const day of foldersNewestFirst(join(sessions, year, month))) {
        const dir = join(sessions, year, month, day);
        try {
          const file = readdirSync(dir).find((name) => name.startsWith('rollout-') && name.endsWith(suffix));
          if (file !== undefined) return join(dir, file);
        } catch {
          // An unreadable day: look further.
        }
      }
    }
  }
  return null;
}

/** Where one session's measuring stands. */
interface Tracked {
  threadId: string;
  path: string;
  /** Bytes of whole lines read so far. */
  offset: number;
  state: RolloutUsageState;
}

/**
 * Measures one session's token usage from its Codex thread's rollout file and charges it to the
 * bound agent (TeamStore.recordMeasuredUsage), reading the file only (opened read-only, never
 * written, locked or moved). A sync reads the whole lines added since the last one; syncs of a
 * session run one at a time. Every failure is logged and skipped: measuring never fails a call.
 */
export class RolloutMeter {
  private tracked: Tracked | null = null;
  private chain: Promise<void> = Promise.resolve();
  private lastSyncAt = Number.NEGATIVE_INFINITY;
  /** Whether the last search for the thread's rollout found none. */
  private missed = false;

  constructor(
    private readonly codexHome: string,
    private readonly store: TeamStore,
    private readonly logger: Logger,
    /** Syncs after calls come at most this often; the session's end always syncs. @default 5000 */
    private readonly everyMs = 5_000,
  ) {}

  /**
   * After a call: a sync when the last one is `everyMs` old (the first one at once), or
   * SEARCH_AGAIN_AFTER_MISS_MS after a search that found no rollout. Never waits for it.
   */
  afterCall(binding: SessionBinding | null, threadId: string | null, now: number): void {
    const every = this.missed ? Math.max(this.everyMs, SEARCH_AGAIN_AFTER_MISS_MS) : this.everyMs;
    if (binding === null || threadId === null || now - this.lastSyncAt < every) return;
    this.lastSyncAt = now;
    this.chain = this.chain.then(() => this.sync(binding, threadId));
  }

  /** At the session's end: one last sync, after any still running. Never rejects. */
  final(binding: SessionBinding | null, threadId: string | null): Promise<void> {
    if (binding === null || threadId === null) return this.chain;
    this.chain = this.chain.then(() => this.sync(binding, threadId));
    return this.chain;
  }

  private async sync(binding: SessionBinding, threadId: string): Promise<void> {
    try {
      const lines = this.readNewLines(threadId);
      if (lines === null || this.tracked === null) return;
      const { responses, state } = rolloutResponses(lines.lines, this.tracked.state);
      if (responses.length > 0) {
        const result = await this.store.recordMeasuredUsage({ teamId: binding.teamId, agentId: binding.agentId, codexThreadId: threadId, responses });
        this.logger.info(
          {
            agent_id: binding.agentId,
            team_id: binding.teamId,
            codex_thread_id: threadId,
            rollout: this.tracked.path,
            charged: result.usage.length,
            skipped: result.skipped,
            rule: 'usage.measured',
          },
          'usage measured from the Codex rollout',
        );
      }
      // Only a stored sync moves on: a failed one is read again next time (what was stored is skipped).
      this.tracked = { ...this.tracked, offset: lines.offset, state };
    } catch (error) {
      this.logger.warn({ err: error, agent_id: binding.agentId, codex_thread_id: threadId }, 'usage not measured from the Codex rollout this time');
    }
  }

  /** The whole lines added to the thread's rollout since the last sync, and the offset after them; null when there is no rollout. */
  private readNewLines(threadId: string): { lines: string[]; offset: number } | null {
    if (this.tracked === null || this.tracked.threadId !== threadId) {
      const path = findRollout(this.codexHome, threadId);
      this.missed = path === null;
      if (path === null) return null;
      this.tracked = { threadId, path, offset: 0, state: EMPTY_ROLLOUT_STATE };
    }
    const { path, offset } = this.tracked;
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= offset) return { lines: [], offset };
      const buffer = Buffer.alloc(Math.min(size - offset, READ_CHUNK_BYTES));
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      const end = read === 0 ? -1 : buffer.lastIndexOf(0x0a, read - 1);
      if (end < 0) {
        // A line still being written waits for the next sync; one longer than a whole chunk (no
        // usage line is) is stepped over.
        return { lines: [], offset: read === READ_CHUNK_BYTES ? offset + read : offset };
      }
      return { lines: buffer.subarray(0, end).toString('utf8').split('\n'), offset: offset + end + 1 };
    } finally {
      closeSync(fd);
    }
  }
}
