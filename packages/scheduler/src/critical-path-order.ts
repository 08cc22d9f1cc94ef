import { TERMINAL_TASK_STATUSES, TeamError, type Task } from '@codex-team/contracts';

/** The task fields the critical-path ranks look at. */
export type RankableTask = Pick<Task, 'id' | 'status' | 'depends_on' | 'required_role'>;

/** What the critical-path claim order compares: a task with its rank and creation sequence. */
export interface RankedTask {
  id: string;
  priority: number;
  /** Creation sequence (the store's row order): among equals, the task made first goes first. */
  seq: number;
  /** The task's critical-path rank: see criticalPathRanks. */
  critical_path_ms: number;
}

/**
 * Which ready task goes first: the larger critical-path rank, then the higher priority, then the
 * smaller creation sequence, then the smaller id. A total order, so every process picks the same
 * task; it is the order the rebalancing controller and its simulator hand work out in, and the
 * claim order the store is to adopt (issue 16, second step).
 */
export function compareCriticalPathFirst(a: RankedTask, b: RankedTask): number {
  if (a.critical_path_ms !== b.critical_path_ms) return b.critical_path_ms - a.critical_path_ms;
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.seq !== b.seq) return a.seq - b.seq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a task's status ends its life (done, failed, cancelled). */
export function isFinished(task: Pick<Task, 'status'>): boolean {
  return TERMINAL_TASK_STATUSES.includes(task.status);
}

/** The live tasks of a DAG (see liveWork) and the same tasks in dependency order. */
export interface LiveWork<T extends RankableTask> {
  live: Map<string, T>;
  /** Each live task after its unfinished dependencies. */
  order: T[];
}

/**
 * Unfinished tasks that can still run: every dependency is done or itself live. A task behind a
 * failed or cancelled dependency (directly or through others) can never become ready, so it is no
 * work to staff or rank. Throws TeamError `INVALID_INPUT` on a duplicate id or an unknown
 * dependency, and `CYCLE_DETECTED` when unfinished tasks depend on each other in a cycle.
 */
export function liveWork<T extends RankableTask>(tasks: readonly T[]): LiveWork<T> {
  const byId = new Map<string, T>();
  for (const task of tasks) {
    if (byId.has(task.id)) throw new TeamError('INVALID_INPUT', `task ${task.id} appears twice`);
    byId.set(task.id, task);
  }
  for (const task of tasks) {
    for (const dep of task.depends_on) {
      if (!byId.has(dep)) throw new TeamError('INVALID_INPUT', `task ${task.id} depends on unknown task ${dep}`);
    }
  }
  const live = new Map<string, T>();
  const order: T[] = [];
  for (const task of topologicalUnfinished(tasks, byId)) {
    const runnable = task.depends_on.every((dep) => (byId.get(dep) as T).status === 'done' || live.has(dep));
    if (!runnable) continue;
    live.set(task.id, task);
    order.push(task);
  }
  return { live, order };
}

/**
 * The unfinished tasks in an order where every unfinished dependency comes first (Kahn's
 * algorithm, roots in input order). Throws `CYCLE_DETECTED` when some are left over.
 */
function topologicalUnfinished<T extends RankableTask>(tasks: readonly T[], byId: ReadonlyMap<string, T>): T[] {
  const unfinished = tasks.filter((task) => !isFinished(task));
  const waiting = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const task of unfinished) {
    let count = 0;
    for (const dep of task.depends_on.length > 1 ? new Set(task.depends_on) : task.depends_on) {
      const parent = byId.get(dep);
      if (parent === undefined || isFinished(parent)) continue;
      count += 1;
      const list = dependants.get(dep);
      if (list === undefined) dependants.set(dep, [task.id]);
      else list.push(task.id);
    }
    waiting.set(task.id, count);
  }
  const order: T[] = unfinished.filter((task) => waiting.get(task.id) === 0);
  for (let head = 0; head < order.length; head += 1) {
    for (const next of dependants.get((order[head] as T).id) ?? []) {
      const left = (waiting.get(next) ?? 0) - 1;
      waiting.set(next, left);
      if (left === 0) order.push(byId.get(next) as T);
    }
  }
  if (order.length < unfinished.length) {
    const placed = new Set(order.map((task) => task.id));
    const stuck = unfinished.filter((task) => !placed.has(task.id)).map((task) => task.id).sort();
    throw new TeamError('CYCLE_DETECTED', `tasks ${stuck.join(', ')} are in or behind a dependency cycle`, { task_ids: stuck });
  }
  return order;
}

/**
 * The critical-path rank of every live task (see liveWork): the expected duration of the longest
 * chain of live work that starts with the task, the task itself included, each task weighing
 * `estimateMs(task)`. The larger the rank, the longer the rest of the run waits on the task, so it
 * goes first. Finished and dead tasks are absent. Throws what liveWork throws, and `INVALID_INPUT`
 * when an estimate is negative or not finite.
 */
export function criticalPathRanks<T extends RankableTask>(tasks: readonly T[], estimateMs: (task: T) => number): Map<string, number> {
  return ranksOf(liveWork(tasks), estimateMs);
}

/** criticalPathRanks over live work already found. */
export function ranksOf<T extends RankableTask>(work: LiveWork<T>, estimateMs: (task: T) => number): Map<string, number> {
  const longestAfter = new Map<string, number>();
  const ranks = new Map<string, number>();
  for (let at = work.order.length - 1; at >= 0; at -= 1) {
    const task = work.order[at] as T;
    const estimate = estimateMs(task);
    if (!Number.isFinite(estimate) || estimate < 0) {
      throw new TeamError('INVALID_INPUT', `task ${task.id} has an estimate of ${estimate} ms; it must be a non-negative number`);
    }
    const rank = estimate + (longestAfter.get(task.id) ?? 0);
    ranks.set(task.id, rank);
    for (const dep of task.depends_on) {
      if (work.live.has(dep) && rank > (longestAfter.get(dep) ?? 0)) longestAfter.set(dep, rank);
    }
  }
  return ranks;
}
