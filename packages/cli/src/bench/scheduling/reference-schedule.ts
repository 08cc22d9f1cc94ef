import { compareClaimOrder, criticalPathRanks } from '@codex-team/scheduler';
import type { SimTask } from './eval-shapes';

/**
 * What the reference schedule knows of the tasks: `sizes`, every true duration (it takes the ready
 * task with the longest true path to the end first); `estimates`, the tasks' size estimates (the
 * longest estimated path first, then priority, then creation: claim order with estimate_min on
 * every task); `blind`, none of them (the longest chain of tasks first, then priority, then
 * creation order: claim order (compareClaimOrder) with every task weighing the same, which is the
 * controller's claim order before any task has finished and when tasks carry no estimate).
 */
export type ReferenceKnowledge = 'sizes' | 'estimates' | 'blind';

/**
 * A reference schedule, not a bound: `cap` identical agents from the start, no failures, no spawn
 * delay and no roles; each free agent takes the first ready task in the order its knowledge
 * gives. With `sizes` its makespan shows how far max(critical path, work / cap) is from what a good
 * schedule reaches on a shape (a policy may even beat it). With `blind` it shows what the best a
 * policy may do is when tasks carry no size: where tasks are alike but for their random durations
 * (the middle of a fork-join), no order that does not know the durations does better on average.
 * With `estimates`, what the best policy may do with the tasks' rough sizes.
 */
export function referenceMakespan(tasks: readonly SimTask[], cap: number, knowledge: ReferenceKnowledge = 'sizes'): number {
  const status = new Map<string, 'blocked' | 'ready' | 'in_progress' | 'done'>(tasks.map((task) => [task.id, task.depends_on.length === 0 ? 'ready' : 'blocked']));
  const view = () => tasks.map((task) => ({ ...task, status: status.get(task.id) ?? 'blocked' }));
  const weight = (task: SimTask): number => (knowledge === 'sizes' ? task.duration_ms : knowledge === 'estimates' ? (task.estimate_ms ?? 1) : 1);
  const ranks = criticalPathRanks(view(), weight);
  const seq = new Map(tasks.map((task, at) => [task.id, at]));
  const ranked = (task: SimTask) => ({ critical_path_ms: ranks.get(task.id) ?? 0, priority: task.priority, creation: seq.get(task.id) ?? 0 });
  const order =
    knowledge === 'sizes'
      ? (a: SimTask, b: SimTask) => (ranks.get(b.id) ?? 0) - (ranks.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1)
      : (a: SimTask, b: SimTask) => compareClaimOrder(ranked(a), ranked(b));
  const running: { id: string; end: number }[] = [];
  let now = 0;
  let done = 0;
  while (done < tasks.length) {
    const ready = tasks.filter((task) => status.get(task.id) === 'ready').sort(order);
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
