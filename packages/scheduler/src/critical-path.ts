import { TERMINAL_TASK_STATUSES, TeamError, type Task } from '@codex-team/contracts';
import { blockedByCycle, cycleError } from './dependency-cycles';

export interface PathNode {
  id: string;
  depends_on: readonly string[];
  /** Expected duration in any unit (ms, points, 1 per task); never negative. */
  duration: number;
}

export interface CriticalPath {
  /** Task ids from the first task to the last. */
  path: string[];
  /** Sum of the durations along `path`. */
  duration: number;
}

/** Ids in code-unit order, as `<` compares strings. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The best path of every task, as typed arrays indexed by task: the task before it on the path
 * (-1 for none), the path's length and its duration. Paths share their prefixes and nothing is
 * allocated per task: at 100k tasks, per-task arrays and objects made garbage collection, which
 * grows with the live heap, most of the time.
 */
interface Paths {
  ids: readonly string[];
  prev: Int32Array;
  length: Int32Array;
  duration: Float64Array;
}

/**
 * Lexicographic order of the path ending at `x` and the path ending at `y` (-1: the empty path),
 * each followed by `extra` when it is given (element by element, by code unit; a prefix before its
 * extensions). Both walk back to the prefix they share; the tasks just after it decide.
 */
function comparePaths(paths: Paths, x0: number, y0: number, extra: string | null): number {
  const { ids, prev, length } = paths;
  let x = x0;
  let y = y0;
  let afterX = -1;
  let afterY = -1;
  let lengthX = x < 0 ? 0 : (length[x] as number);
  let lengthY = y < 0 ? 0 : (length[y] as number);
  while (lengthX > lengthY) {
    afterX = x;
    x = prev[x] as number;
    lengthX -= 1;
  }
  while (lengthY > lengthX) {
    afterY = y;
    y = prev[y] as number;
    lengthY -= 1;
  }
  while (x !== y) {
    afterX = x;
    x = prev[x] as number;
    afterY = y;
    y = prev[y] as number;
  }
  const nextX = afterX < 0 ? extra : (ids[afterX] as string);
  const nextY = afterY < 0 ? extra : (ids[afterY] as string);
  if (nextX === null) return nextY === null ? 0 : -1;
  if (nextY === null) return 1;
  return compareIds(nextX, nextY);
}

/** Whether path `a` (then `extra`) beats path `b` (then `extra`): longer first, then smaller ids. */
function betterPath(paths: Paths, a: number, b: number, extra: string | null): boolean {
  const da = a < 0 ? 0 : (paths.duration[a] as number);
  const db = b < 0 ? 0 : (paths.duration[b] as number);
  return da !== db ? da > db : comparePaths(paths, a, b, extra) < 0;
}

function pathOf(paths: Paths, last: number): CriticalPath {
  if (last < 0) return { path: [], duration: 0 };
  const path = new Array<string>(paths.length[last] as number);
  for (let at = last; at >= 0; at = paths.prev[at] as number) path[(paths.length[at] as number) - 1] = paths.ids[at] as string;
  return { path, duration: paths.duration[last] as number };
}

/**
 * The longest path through the DAG by total duration: the chain of tasks that bounds how soon the
 * team can finish. A path starts at a task with no dependencies and follows dependency edges. Ties
 * go to the path whose id sequence is smallest (element by element, by code unit; a prefix before
 * its extensions), so the answer never depends on input order.
 * Throws TeamError `INVALID_INPUT` (duplicate id, unknown dependency, bad duration) or
 * `CYCLE_DETECTED`.
 */
export function criticalPath(nodes: readonly PathNode[]): CriticalPath {
  return longestPath(nodes, (node) => node.duration);
}

/** Whether `value` is among `list[from..to)`; a plain loop, as a subarray view per edge is garbage. */
function listed(list: Int32Array, from: number, to: number, value: number): boolean {
  for (let at = from; at < to; at += 1) if (list[at] === value) return true;
  return false;
}

/**
 * The tasks' dependencies as indexes in compressed rows (task i's are `depList[depStart[i] ..
 * depStart[i + 1])`), repeats dropped. Throws TeamError `INVALID_INPUT` on a duplicate id or an
 * unknown dependency.
 */
function dependencyRows(tasks: readonly Pick<PathNode, 'id' | 'depends_on'>[]): { depStart: Int32Array; depList: Int32Array } {
  const n = tasks.length;
  const indexOf = new Map<string, number>();
  tasks.forEach((task, index) => {
    if (indexOf.has(task.id)) throw new TeamError('INVALID_INPUT', `task ${task.id} appears twice`);
    indexOf.set(task.id, index);
  });
  const depStart = new Int32Array(n + 1);
  const depList = new Int32Array(tasks.reduce((sum, task) => sum + task.depends_on.length, 0));
  let edges = 0;
  tasks.forEach((task, index) => {
    depStart[index] = edges;
    for (const dep of task.depends_on) {
      const at = indexOf.get(dep);
      if (at === undefined) throw new TeamError('INVALID_INPUT', `task ${task.id} depends on unknown task ${dep}`);
      if (listed(depList, depStart[index] as number, edges, at)) continue;
      depList[edges] = at;
      edges += 1;
    }
  });
  depStart[n] = edges;
  return { depStart, depList };
}

/**
 * The same edges the other way, for Kahn's pass: each task's dependants in compressed rows, and how
 * many dependencies each task waits on. Edges from or to a task marked in `skip` are left out.
 */
function dependantRows(depStart: Int32Array, depList: Int32Array, skip: Uint8Array | null): { start: Int32Array; list: Int32Array; waiting: Int32Array } {
  const n = depStart.length - 1;
  const waiting = new Int32Array(n);
  const count = new Int32Array(n);
  for (let index = 0; index < n; index += 1) {
    if (skip !== null && skip[index] === 1) continue;
    for (let e = depStart[index] as number; e < (depStart[index + 1] as number); e += 1) {
      const dep = depList[e] as number;
      if (skip !== null && skip[dep] === 1) continue;
      waiting[index] = (waiting[index] as number) + 1;
      count[dep] = (count[dep] as number) + 1;
    }
  }
  const start = new Int32Array(n + 1);
  for (let index = 0; index < n; index += 1) start[index + 1] = (start[index] as number) + (count[index] as number);
  const list = new Int32Array(start[n] as number);
  const filled = start.slice(0, n);
  for (let index = 0; index < n; index += 1) {
    if (skip !== null && skip[index] === 1) continue;
    for (let e = depStart[index] as number; e < (depStart[index + 1] as number); e += 1) {
      const dep = depList[e] as number;
      if (skip !== null && skip[dep] === 1) continue;
      list[filled[dep] as number] = index;
      filled[dep] = (filled[dep] as number) + 1;
    }
  }
  return { start, list, waiting };
}

/** criticalPath over any tasks with ids and dependencies, each weighing `durationOf(task)`. */
function longestPath<T extends Pick<PathNode, 'id' | 'depends_on'>>(nodes: readonly T[], durationOf: (node: T) => number): CriticalPath {
  const n = nodes.length;
  const ids = nodes.map((node) => node.id);
  const weights = new Float64Array(n);
  nodes.forEach((node, index) => {
    const weight = durationOf(node);
    if (!Number.isFinite(weight) || weight < 0) {
      throw new TeamError('INVALID_INPUT', `task ${node.id} has duration ${weight}; it must be a non-negative number`);
    }
    weights[index] = weight;
  });
  const { depStart, depList } = dependencyRows(nodes);
  const { start: dependantStart, list: dependantList, waiting } = dependantRows(depStart, depList, null);

  // Kahn's algorithm; each task's best path is final once all its dependencies are. Roots start in
  // id order; later tasks are queued as their last dependency is done.
  const roots = [];
  for (let index = 0; index < n; index += 1) if (waiting[index] === 0) roots.push(index);
  roots.sort((a, b) => compareIds(ids[a] as string, ids[b] as string));
  const queue = new Int32Array(n);
  queue.set(roots);
  let tail = roots.length;
  const paths: Paths = { ids, prev: new Int32Array(n).fill(-1), length: new Int32Array(n), duration: new Float64Array(n) };
  let answer = -1;
  for (let head = 0; head < tail; head += 1) {
    const index = queue[head] as number;
    // Candidates all end with this task; compare them as such (one prefix may be a prefix of another).
    let chosen = -1;
    for (let e = depStart[index] as number; e < (depStart[index + 1] as number); e += 1) {
      const candidate = depList[e] as number;
      if (e === depStart[index] || betterPath(paths, candidate, chosen, ids[index] as string)) chosen = candidate;
    }
    paths.prev[index] = chosen;
    paths.length[index] = (chosen < 0 ? 0 : (paths.length[chosen] as number)) + 1;
    paths.duration[index] = (chosen < 0 ? 0 : (paths.duration[chosen] as number)) + (weights[index] as number);
    if (answer < 0 || betterPath(paths, index, answer, null)) answer = index;
    for (let e = dependantStart[index] as number; e < (dependantStart[index + 1] as number); e += 1) {
      const next = dependantList[e] as number;
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) {
        queue[tail] = next;
        tail += 1;
      }
    }
  }
  if (tail < n) throw cycleError(blockedByCycle(nodes));
  return pathOf(paths, answer);
}

/**
 * The critical path of the work still to do: finished tasks (done, failed, cancelled) weigh 0, the
 * others `estimate(task)` (default 1, so the path is the longest chain of unfinished tasks); the
 * finished ones are left out of `path`.
 */
export function remainingCriticalPath(
  tasks: readonly Pick<Task, 'id' | 'depends_on' | 'status'>[],
  estimate: (task: Pick<Task, 'id' | 'depends_on' | 'status'>) => number = () => 1,
): CriticalPath {
  const whole = longestPath(tasks, (task) => (isFinished(task) ? 0 : estimate(task)));
  // The path is short: a set of its own tasks is cheaper than one of every finished task.
  const onPath = new Set(whole.path);
  const finished = new Set(tasks.filter((task) => onPath.has(task.id) && isFinished(task)).map((task) => task.id));
  return { path: whole.path.filter((id) => !finished.has(id)), duration: whole.duration };
}

/** Whether a task's status ends its life (done, failed, cancelled). */
export function isFinished(task: Pick<Task, 'status'>): boolean {
  return TERMINAL_TASK_STATUSES.includes(task.status);
}

/** The task fields critical-path ranks look at; `estimate_ms` is the caller's, when it has one. */
export type RankableTask = Pick<Task, 'id' | 'status' | 'depends_on' | 'required_role'>;

/** The live tasks of a DAG (see liveWork) and the same tasks in dependency order. */
export interface LiveWork<T extends RankableTask> {
  live: Map<string, T>;
  /** Each live task after its unfinished dependencies. */
  order: T[];
  /** The same as indexes into the tasks given, and their dependencies in compressed rows (repeats dropped). */
  graph: { tasks: readonly T[]; order: Int32Array; depStart: Int32Array; depList: Int32Array; live: Uint8Array };
}

/**
 * Unfinished tasks that can still run: every dependency is done or itself live. A task behind a
 * failed or cancelled dependency (directly or through others) can never become ready, so it is no
 * work to staff or rank. Throws TeamError `INVALID_INPUT` on a duplicate id or an unknown
 * dependency, and `CYCLE_DETECTED` when unfinished tasks depend on each other in a cycle (finished
 * dependencies wait for nothing). Typed arrays throughout: claims rank the team's live work on
 * every call, and a map or set per task cost most of the time.
 */
export function liveWork<T extends RankableTask>(tasks: readonly T[]): LiveWork<T> {
  const n = tasks.length;
  const { depStart, depList } = dependencyRows(tasks);
  const finished = new Uint8Array(n);
  tasks.forEach((task, index) => {
    if (isFinished(task)) finished[index] = 1;
  });
  // Dependants among unfinished tasks, for Kahn's pass (first in, first out).
  const { start: dependantStart, list: dependantList, waiting } = dependantRows(depStart, depList, finished);
  const queue = new Int32Array(n);
  let tail = 0;
  let unfinished = 0;
  for (let index = 0; index < n; index += 1) {
    if (finished[index] === 1) continue;
    unfinished += 1;
    if (waiting[index] === 0) queue[tail++] = index;
  }
  for (let head = 0; head < tail; head += 1) {
    const index = queue[head] as number;
    for (let e = dependantStart[index] as number; e < (dependantStart[index + 1] as number); e += 1) {
      const next = dependantList[e] as number;
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) queue[tail++] = next;
    }
  }
  if (tail < unfinished) throw cycleError(blockedByCycle(tasks.filter((task) => !isFinished(task))));
  // Live: every dependency done or live, decided in dependency order.
  const live = new Uint8Array(n);
  const order = new Int32Array(tail);
  let placed = 0;
  for (let head = 0; head < tail; head += 1) {
    const index = queue[head] as number;
    let runnable = true;
    for (let e = depStart[index] as number; e < (depStart[index + 1] as number) && runnable; e += 1) {
      const dep = depList[e] as number;
      runnable = tasks[dep]?.status === 'done' || live[dep] === 1;
    }
    if (!runnable) continue;
    live[index] = 1;
    order[placed++] = index;
  }
  const liveOrder = order.slice(0, placed);
  const liveTasks = Array.from(liveOrder, (index) => tasks[index] as T);
  return {
    live: new Map(liveTasks.map((task) => [task.id, task])),
    order: liveTasks,
    graph: { tasks, order: liveOrder, depStart, depList, live },
  };
}

/**
 * The critical-path rank of every live task (see liveWork): the expected duration of the longest
 * chain of live work that starts with the task, the task itself included, each task weighing
 * `estimateMs(task)`. The larger the rank, the longer the rest of the run waits on the task, so it
 * is claimed first (CLAIM_ORDER). Finished and dead tasks are absent. Throws what liveWork throws,
 * and `INVALID_INPUT` when an estimate is negative or not finite.
 */
export function criticalPathRanks<T extends RankableTask>(tasks: readonly T[], estimateMs: (task: T) => number): Map<string, number> {
  return ranksOf(liveWork(tasks), estimateMs);
}

/** criticalPathRanks over live work already found. */
export function ranksOf<T extends RankableTask>(work: LiveWork<T>, estimateMs: (task: T) => number): Map<string, number> {
  const { tasks, order } = work.graph;
  const values = rankValues(work, estimateMs);
  const ranks = new Map<string, number>();
  for (let at = order.length - 1; at >= 0; at -= 1) {
    const index = order[at] as number;
    ranks.set((tasks[index] as T).id, values[index] as number);
  }
  return ranks;
}

/** The ranks of ranksOf indexed as `work.graph.tasks` (0 for a task that is not live), without a map. */
export function rankValues<T extends RankableTask>(work: LiveWork<T>, estimateMs: (task: T) => number): Float64Array {
  const { tasks, order, depStart, depList, live } = work.graph;
  const longestAfter = new Float64Array(tasks.length);
  const ranks = new Float64Array(tasks.length);
  for (let at = order.length - 1; at >= 0; at -= 1) {
    const index = order[at] as number;
    const task = tasks[index] as T;
    const estimate = estimateMs(task);
    if (!Number.isFinite(estimate) || estimate < 0) {
      throw new TeamError('INVALID_INPUT', `task ${task.id} has an estimate of ${estimate} ms; it must be a non-negative number`);
    }
    const rank = estimate + (longestAfter[index] as number);
    ranks[index] = rank;
    for (let e = depStart[index] as number; e < (depStart[index + 1] as number); e += 1) {
      const dep = depList[e] as number;
      if (live[dep] === 1 && rank > (longestAfter[dep] as number)) longestAfter[dep] = rank;
    }
  }
  return ranks;
}
