import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent, Task, ToolInput } from '@codex-team/contracts';
import type { Actor, TeamStore } from '@codex-team/store';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { textOf } from './tool-caller';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Layers of tasks; each depends on 0-3 distinct tasks of earlier layers (by key, one create call). */
export function layeredDag(layers: number, perLayer: number, random: () => number): ToolInput<'team_task_create'>['tasks'] {
  const tasks: ToolInput<'team_task_create'>['tasks'] = [];
  for (let layer = 0; layer < layers; layer += 1) {
    for (let i = 0; i < perLayer; i += 1) {
      const picks = new Set<string>();
      const want = layer === 0 ? 0 : Math.floor(random() * 4);
      while (picks.size < want) picks.add(`k${Math.floor(random() * layer * perLayer)}`);
      tasks.push({ key: `k${tasks.length}`, title: `L${layer} #${i}`, description: '', priority: 0, depends_on: [...picks] });
    }
  }
  return tasks;
}

/** The error code of an error result, or null for a success. */
export function resultCode(result: CallToolResult): string | null {
  if (result.isError !== true) return null;
  const parsed = JSON.parse(textOf(result)) as { error?: { code?: string } };
  return parsed.error?.code ?? 'UNKNOWN';
}

/** Every task of the team, paging through the port. */
export async function allTasks(store: TeamStore, lead: Actor): Promise<Task[]> {
  const tasks: Task[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listTasks(lead, { limit: 500, ...(after === undefined ? {} : { after }) });
    tasks.push(...page.tasks);
    if (page.next_after === null) return tasks;
    after = page.next_after;
  }
}

/** The whole audit trail of a team. */
export async function allEvents(store: TeamStore, teamId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (;;) {
    const page = await store.listAuditEvents(teamId, { afterSeq: events[events.length - 1]?.seq ?? 0, limit: 10_000 });
    events.push(...page);
    if (page.length < 10_000) return events;
  }
}

/**
 * The store package's deliberately broken writers (raw SQL, which only the store may load). It is a
 * file run in a child process, never imported: it is found by the workspace layout (packages/*).
 */
export function brokenWritersPath(fixture: 'broken-writers.cjs' | 'pg-broken-writers.cjs' = 'broken-writers.cjs'): string {
  const path = join(__dirname, '..', '..', '..', 'store', 'src', 'fixtures', fixture);
  if (!existsSync(path)) throw new Error(`missing fixture ${path}`);
  return path;
}

export interface ForkedWriter {
  child: ChildProcess;
  /** Settles with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Forks one broken writer (SQLite's, or PostgreSQL's twins); `onMessage` gets its IPC reports. */
export function forkBrokenWriter(
  args: string[],
  onMessage: (message: Record<string, unknown>) => void,
  fixture: Parameters<typeof brokenWritersPath>[0] = 'broken-writers.cjs',
): ForkedWriter {
  const child = fork(brokenWritersPath(fixture), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (message) => onMessage(message as Record<string, unknown>));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}
