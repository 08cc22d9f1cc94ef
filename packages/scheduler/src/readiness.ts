import type { Role, Task } from '@codex-team/contracts';

/** The task fields readiness and claim order look at. */
export type SchedulableTask = Pick<Task, 'id' | 'status' | 'depends_on' | 'priority' | 'created_at' | 'required_role'>;

/**
 * True when `task` is waiting (`blocked` or `ready`) and every dependency is among `doneIds`, the
 * ids of the team's done tasks.
 */
export function isReady(task: Pick<Task, 'status' | 'depends_on'>, doneIds: ReadonlySet<string>): boolean {
  if (task.status !== 'ready' && task.status !== 'blocked') return false;
  return task.depends_on.every((id) => doneIds.has(id));
}

/**
 * Claim order: higher priority first, then older, then smaller id; a total order, so every process
 * picks the same task.
 */
export function compareClaimOrder(a: SchedulableTask, b: SchedulableTask): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The ready tasks among `tasks`, in claim order. */
export function readyTasks<T extends SchedulableTask>(tasks: readonly T[]): T[] {
  // Only done tasks matter to readiness: a set of their ids stays small while a DAG is young, where
  // a map of every task cost most of this function at 100k tasks.
  const done = new Set<string>();
  for (const task of tasks) if (task.status === 'done') done.add(task.id);
  return tasks.filter((t) => isReady(t, done)).sort(compareClaimOrder);
}

/** True when an agent of `role` may claim `task`: it names no role or names this one. */
export function isClaimableBy(task: Pick<Task, 'required_role'>, role: Role): boolean {
  return task.required_role === null || task.required_role === role;
}

/** The task `team_task_next` should hand an agent of `role`, or undefined when none is ready. */
export function selectNextTask<T extends SchedulableTask>(tasks: readonly T[], role: Role): T | undefined {
  return readyTasks(tasks).find((t) => isClaimableBy(t, role));
}
