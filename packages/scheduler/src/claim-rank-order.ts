import { rankValues, type LiveWork, type RankableTask } from './critical-path';
import { compareClaimOrder, type ClaimOrderFacts } from './readiness';

/** A task with what claim order compares of it (CLAIM_ORDER), its critical-path rank included. */
export interface RankedTask extends ClaimOrderFacts {
  id: string;
}

/** A task claim order ranks: the DAG fields, and its priority and creation place. */
export interface OrderableTask extends RankableTask {
  priority: number;
  /** Creation place (any increasing number: a sequence, an index). */
  seq: number;
}

/**
 * The live tasks that another of the given tasks depends on, in claim order (CLAIM_ORDER) with
 * their critical-path ranks (ranksOf, each task weighing `estimateMs(task)`): the tasks whose rank
 * reads the work waiting below them. Every other live task ranks at its own weight. A store keeps
 * this between claims while the DAG's shape does not change: a task claimed, released or done
 * changes no live task's rank (a rank reads only the work after a task, and what a task waited on
 * was done before it could be claimed), so only new tasks or edges, a task failed or cancelled
 * (its dependants die), a finished task reopened or a changed weight, priority or role re-rank.
 * Throws what ranksOf throws.
 */
export function waitedOnInClaimOrder<T extends OrderableTask>(work: LiveWork<T>, estimateMs: (task: T) => number): RankedTask[] {
  const { tasks, depStart, depList, live } = work.graph;
  const waitedOn = new Uint8Array(tasks.length);
  for (let index = 0; index < tasks.length; index += 1) {
    for (let e = depStart[index] as number; e < (depStart[index + 1] as number); e += 1) waitedOn[depList[e] as number] = 1;
  }
  const ranks = rankValues(work, estimateMs);
  const ranked: RankedTask[] = [];
  tasks.forEach((task, index) => {
    if (live[index] !== 1 || waitedOn[index] !== 1) return;
    ranked.push({ id: task.id, critical_path_ms: ranks[index] as number, priority: task.priority, creation: task.seq });
  });
  return ranked.sort(compareClaimOrder);
}
