import { criticalPathRanks } from '@codex-team/scheduler';
import type { SimTask } from './eval-shapes';

/**
 * A reference schedule, not a bound: `cap` identical agents from the start, no failures, no spawn
 * delay, no roles, and the true durations known, each free agent taking the ready task with the
 * longest true path to the end (highest level first). Its makespan shows how far max(critical
 * path, work / cap) is from what a good schedule reaches on a shape; a policy may even beat it.
 */
export function referenceMakespan(tasks: readonly SimTask[], cap: number): number {
  const status = new Map<string, 'blocked' | 'ready' | 'in_progress' | 'done'>(tasks.map((task) => [task.id, task.depends_on.length === 0 ? 'ready' : 'blocked']));
  const view = () => tasks.map((task) => ({ ...task, status: status.get(task.id) ?? 'blocked' }));
  const ranks = criticalPathRanks(view(), (task) => task.duration_ms);
  const running: { id: string; end: number }[] = [];
  let now = 0;
  let done = 0;
  while (done < tasks.length) {
    const ready = tasks
      .filter((task) => status.get(task.id) === 'ready')
      .sort((a, b) => (ranks.get(b.id) ?? 0) - (ranks.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1));
    while (running.length < cap && ready.length > 0) {
      const task = ready.shift() as SimTask;
      status.set(task.id, 'in_progress');
      running.push({ id: task.id, end: now + task.duration_ms });
    }
    running.sort((a, b) => a.end - b.end);
    const next = running.shift();
    if (next === undefined) throw new Error('reference schedule: nothing ready and nothing running');
    now = next.end;
    status.set(next.id, 'done');
    done += 1;
    for (const task of tasks) {
      if (status.get(task.id) === 'blocked' && task.depends_on.every((dep) => status.get(dep) === 'done')) status.set(task.id, 'ready');
    }
  }
  return now;
}
