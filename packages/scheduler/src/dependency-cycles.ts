import { TeamError } from '@codex-team/contracts';

/** A node of a dependency graph: its id and the ids it depends on. */
export interface DependencyNode {
  id: string;
  depends_on: readonly string[];
}

/** A topological order of a graph's nodes, and the nodes it could not place. */
export interface DependencyOrder {
  /** Indexes into the nodes, each after the nodes it depends on; roots in input order. */
  order: number[];
  /** Ids of the nodes in or behind a cycle, in input order; empty for a DAG. */
  blocked: string[];
}

/**
 * The one topological pass (Kahn's algorithm, first in first out, so roots keep their input order):
 * whatever never reaches zero waiting dependencies is in or behind a cycle. Dependencies on ids
 * outside `nodes` are taken as satisfiable (tasks that already exist cannot depend on new ones, so
 * they close no cycle; a finished task waits for nothing). A node depending on itself is in a cycle.
 */
export function dependencyOrder(nodes: readonly DependencyNode[]): DependencyOrder {
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
  const order: number[] = [];
  waiting.forEach((count, index) => {
    if (count === 0) order.push(index);
  });
  for (let head = 0; head < order.length; head += 1) {
    for (const dependant of dependants[order[head] as number] ?? []) {
      waiting[dependant] = (waiting[dependant] as number) - 1;
      if (waiting[dependant] === 0) order.push(dependant);
    }
  }
  const blocked = order.length === nodes.length ? [] : nodes.filter((_node, index) => (waiting[index] as number) > 0).map((node) => node.id);
  return { order, blocked };
}

/**
 * Cycle detection, the one definition: the ids of the nodes that can never start because they are
 * in a dependency cycle or depend (directly or not) on one, in input order; empty for a DAG. See
 * dependencyOrder for dependencies outside `nodes`.
 */
export function blockedByCycle(nodes: readonly DependencyNode[]): string[] {
  return dependencyOrder(nodes).blocked;
}

/** The refusal of work that depends on itself: CYCLE_DETECTED naming `ids`, sorted. */
export function cycleError(ids: readonly string[]): TeamError {
  const stuck = [...ids].sort();
  return new TeamError('CYCLE_DETECTED', `tasks ${stuck.join(', ')} are in or behind a dependency cycle`, { task_ids: stuck });
}
