import type { Task } from '@codex-team/contracts';

export interface PlacedTask {
  task: Task;
  /** Column: the length of the longest dependency chain before the task. */
  layer: number;
  /** Row within the column, in creation order. */
  row: number;
}

/**
 * Columns for drawing a DAG left to right: each task sits one column right of its deepest
 * dependency. Tasks come in creation order, and dependencies are always created first, so one
 * pass suffices. Dependencies outside `tasks` are ignored. Pure.
 */
export function layoutDag(tasks: readonly Task[]): PlacedTask[] {
  const layerOf = new Map<string, number>();
  const rows = new Map<number, number>();
  return tasks.map((task) => {
    const layer = task.depends_on.reduce((deepest, dep) => Math.max(deepest, (layerOf.get(dep) ?? -1) + 1), 0);
    layerOf.set(task.id, layer);
    const row = rows.get(layer) ?? 0;
    rows.set(layer, row + 1);
    return { task, layer, row };
  });
}
