import { TeamError } from '@codex-team/contracts';

/** A node of a dependency graph: its id and the ids it depends on. */
export interface DependencyNode {
  id: string;
  depends_on: readonly string[];
}

/**
 * Cycle detection, the one definition: the ids of the nodes that can never start because they are
 * in a dependency cycle or depend (directly or not) on one, in input order; empty for a DAG.
 * Dependencies on ids outside `nodes` are taken as satisfiable (tasks that already exist cannot
 * depend on new ones, so they close no cycle; a finished task waits for nothing). A node depending
 * on itself is in a cycle.
 */
export function blockedByCycle(nodes: readonly DependencyNode[]): string[] {
  const indexOf = new Map<string, number>();
  nodes.forEach((node, index) => indexOf.set(node.id, index));
  const waiting = new Int32Array(nodes.length);
  const dependants: number[][] = nodes.map(() => []);
  nodes.forEach((node, index) => {
    for (const dep of node.depends_on.length > 1 ? new Set(node.depends_on) : node.depends_on) {
      const at = indexOf.get(dep);
      if (at === undefined) continue;
      waiting[index] = (waiting[index] as number) + 1;
      dependants[at]?.push(index);
    }
  });
  // Kahn's algorithm: whatever never reaches zero waiting dependencies is in or behind a cycle.
  const queue: number[] = [];
  waiting.forEach((count, index) => {
    if (count === 0) queue.push(index);
  });
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const dependant of dependants[next] ?? []) {
      waiting[dependant] = (waiting[dependant] as number) - 1;
      if (waiting[dependant] === 0) queue.push(dependant);
    }
  }
  return nodes.filter((_node, index) => (waiting[index] as number) > 0).map((node) => node.id);
}

/** The refusal of work that depends on itself: CYCLE_DETECTED naming `ids`, sorted. */
export function cycleError(ids: readonly string[]): TeamError {
  const stuck = [...ids].sort();
  return new TeamError('CYCLE_DETECTED', `tasks ${stuck.join(', ')} are in or behind a dependency cycle`, { task_ids: stuck });
}
