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
  const byId = new Map<string, PathNode>();
  for (const node of nodes) {
    if (byId.has(node.id)) throw new TeamError('INVALID_INPUT', `task ${node.id} appears twice`);
    if (!Number.isFinite(node.duration) || node.duration < 0) {
      throw new TeamError('INVALID_INPUT', `task ${node.id} has duration ${node.duration}; it must be a non-negative number`);
    }
    byId.set(node.id, node);
  }
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const node of byId.values()) {
    const deps = new Set(node.depends_on);
    for (const dep of deps) {
      if (!byId.has(dep)) throw new TeamError('INVALID_INPUT', `task ${node.id} depends on unknown task ${dep}`);
      dependents.set(dep, [...(dependents.get(dep) ?? []), node.id]);
    }
    waiting.set(node.id, deps.size);
  }

  // Kahn's algorithm; each node's best path is final once all its dependencies are.
  const best = new Map<string, CriticalPath>();
  const queue = [...byId.keys()].filter((id) => waiting.get(id) === 0).sort();
  let answer: CriticalPath = { path: [], duration: 0 };
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head] as string;
    const node = byId.get(id) as PathNode;
    const befores = node.depends_on.length === 0 ? [NO_PATH] : [...new Set(node.depends_on)].map((dep) => best.get(dep) ?? NO_PATH);
    // Compare whole candidates, not the paths before them: one may be a prefix of another.
    const mine = befores
      .map((before) => ({ path: [...before.path, id], duration: before.duration + node.duration }))
      .reduce((a, b) => (better(b, a) ? b : a));
    best.set(id, mine);
    if (answer.path.length === 0 || better(mine, answer)) answer = mine;
    for (const next of dependents.get(id) ?? []) {
      const left = (waiting.get(next) ?? 0) - 1;
      waiting.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (queue.length < byId.size) {
    const stuck = [...byId.keys()].filter((id) => !best.has(id)).sort();
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
