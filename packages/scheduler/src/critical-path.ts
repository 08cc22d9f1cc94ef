import { TERMINAL_TASK_STATUSES, TeamError, type Task } from '@codex-team/contracts';

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

const NO_PATH: CriticalPath = { path: [], duration: 0 };

/** Longer first; on equal duration the smaller id sequence. */
function better(a: CriticalPath, b: CriticalPath): boolean {
  return a.duration !== b.duration ? a.duration > b.duration : lexLess(a.path, b.path);
}

/** Ids in code-unit order, as `<` compares strings. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether `a` followed by `last` is a better path than `b` followed by `last`, without building
 * either: the candidates of one node all end with that node, and copying every candidate's path to
 * compare them made the search cost grow with the number of dependencies times the path length.
 */
function betterWith(a: CriticalPath, b: CriticalPath, last: string): boolean {
  if (a.duration !== b.duration) return a.duration > b.duration;
  const n = Math.min(a.path.length, b.path.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.path[i] as string;
    const y = b.path[i] as string;
    if (x !== y) return x < y;
  }
  // One is a prefix of the other: compare what follows the prefix (the node itself ends the shorter).
  if (a.path.length === b.path.length) return false;
  return a.path.length < b.path.length ? last < (b.path[n] as string) : (a.path[n] as string) < last;
}

function lexLess(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y;
  }
  return a.length < b.length;
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
  // Tasks are numbered once and handled through arrays: at 100k tasks, maps and sets per task were
  // most of the time of a lead's team_status.
  const indexOf = new Map<string, number>();
  nodes.forEach((node, index) => {
    if (indexOf.has(node.id)) throw new TeamError('INVALID_INPUT', `task ${node.id} appears twice`);
    if (!Number.isFinite(node.duration) || node.duration < 0) {
      throw new TeamError('INVALID_INPUT', `task ${node.id} has duration ${node.duration}; it must be a non-negative number`);
    }
    indexOf.set(node.id, index);
  });
  const deps: number[][] = nodes.map(() => []);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, index) => {
    const mine = deps[index] as number[];
    for (const dep of node.depends_on) {
      const at = indexOf.get(dep);
      if (at === undefined) throw new TeamError('INVALID_INPUT', `task ${node.id} depends on unknown task ${dep}`);
      if (mine.includes(at)) continue;
      mine.push(at);
      (dependents[at] as number[]).push(index);
    }
  });
  const waiting = deps.map((list) => list.length);

  // Kahn's algorithm; each node's best path is final once all its dependencies are.
  const best: (CriticalPath | undefined)[] = new Array<CriticalPath | undefined>(nodes.length);
  const queue = nodes
    .map((_node, index) => index)
    .filter((index) => waiting[index] === 0)
    .sort((a, b) => compareIds((nodes[a] as PathNode).id, (nodes[b] as PathNode).id));
  let answer: CriticalPath = { path: [], duration: 0 };
  for (let head = 0; head < queue.length; head += 1) {
    const index = queue[head] as number;
    const node = nodes[index] as PathNode;
    const befores = deps[index] as number[];
    // Compare whole candidates (each before-path followed by this node), not the paths before them:
    // one may be a prefix of another.
    let chosen = befores.length === 0 ? NO_PATH : (best[befores[0] as number] ?? NO_PATH);
    for (let k = 1; k < befores.length; k += 1) {
      const candidate = best[befores[k] as number] ?? NO_PATH;
      if (betterWith(candidate, chosen, node.id)) chosen = candidate;
    }
    const mine: CriticalPath = { path: [...chosen.path, node.id], duration: chosen.duration + node.duration };
    best[index] = mine;
    if (answer.path.length === 0 || better(mine, answer)) answer = mine;
    for (const next of dependents[index] as number[]) {
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) queue.push(next);
    }
  }
  if (queue.length < nodes.length) {
    const stuck = nodes.filter((_node, index) => best[index] === undefined).map((node) => node.id).sort(compareIds);
    throw new TeamError('CYCLE_DETECTED', `tasks ${stuck.join(', ')} are in or behind a dependency cycle`, { task_ids: stuck });
  }
  return answer;
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
  const finished = new Set(tasks.filter((t) => TERMINAL_TASK_STATUSES.includes(t.status)).map((t) => t.id));
  const whole = criticalPath(
    tasks.map((t) => ({ id: t.id, depends_on: t.depends_on, duration: finished.has(t.id) ? 0 : estimate(t) })),
  );
  return { path: whole.path.filter((id) => !finished.has(id)), duration: whole.duration };
}
