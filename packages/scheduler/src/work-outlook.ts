import { isFinished, liveWork, ranksOf } from './critical-path';
import type { RebalanceTask } from './rebalance-types';

/**
 * A running task is expected to need at least this share of its estimate more: a task near or past
 * its estimate has shown it may be longer than most of its kind, and ready work that waits on "any
 * second now" would wait forever. (Reckoning its dependants ready sooner, to staff them early, was
 * measured on the scheduling benchmark: more agent-time and more failures met, no shorter runs.)
 */
export const REMAINING_SHARE = 0.25;

/** What the controller expects of one live task, with unlimited agents. */
export interface TaskOutlook {
  task: RebalanceTask;
  estimate_ms: number;
  /** The critical-path rank (see criticalPathRanks). */
  critical_path_ms: number;
  /** When it is (or was) ready to be claimed. */
  ready_at_ms: number;
  /** When it is expected to be done (and its holder free). */
  finish_at_ms: number;
  /** Whether an agent that is heard from holds it now: no one else needs to take it. */
  worked: boolean;
}

/** The live work ahead, as the controller expects it to unfold with unlimited agents. */
export interface WorkOutlook {
  /** Live tasks in dependency order (each after its unfinished dependencies). */
  tasks: TaskOutlook[];
  byId: Map<string, TaskOutlook>;
  dead: number;
  remaining_work_ms: number;
  remaining_critical_path_ms: number;
  /** Whether the live tasks form one chain: no two of them can ever run at once. */
  chain: boolean;
  /** In a chain, its first task no agent is working on; else undefined. */
  chain_next: TaskOutlook | undefined;
}

/** Whether the live tasks form a single chain: one of them has no live dependency, and none has two live dependants. */
function isChain(order: readonly RebalanceTask[], live: ReadonlyMap<string, RebalanceTask>): boolean {
  if (order.length === 0) return false;
  const hasDependant = new Set<string>();
  let roots = 0;
  for (const task of order) {
    let liveDeps = 0;
    for (const dep of task.depends_on.length > 1 ? new Set(task.depends_on) : task.depends_on) {
      if (!live.has(dep)) continue;
      liveDeps += 1;
      if (hasDependant.has(dep)) return false;
      hasDependant.add(dep);
    }
    if (liveDeps === 0) roots += 1;
    if (roots > 1) return false;
  }
  return roots === 1;
}

/**
 * The live work ahead at `nowMs`, a forward pass over the DAG with unlimited agents: a task held
 * by an agent in `workingAgentIds` or by a child team (delegated) ends `estimate` after its claim,
 * but no sooner than REMAINING_SHARE of the estimate from now; a task held by anyone else returns
 * to the pool when its lease passes and starts again; a waiting task is ready when its last
 * dependency is expected done. Pure. Throws what liveWork throws.
 */
export function workOutlook(
  tasks: readonly RebalanceTask[],
  estimateMs: (task: RebalanceTask) => number,
  nowMs: number,
  workingAgentIds: ReadonlySet<string>,
): WorkOutlook {
  const work = liveWork(tasks);
  const { live, order } = work;
  const ranks = ranksOf(work, estimateMs);
  const byId = new Map<string, TaskOutlook>();
  let workMs = 0;
  let end = nowMs;
  for (const task of order) {
    const estimate = estimateMs(task);
    const worked =
      task.status === 'in_progress' && (task.delegated === true || (task.owner_agent_id !== null && workingAgentIds.has(task.owner_agent_id)));
    let readyAt: number;
    let finishAt: number;
    if (worked) {
      readyAt = task.claimed_at_ms ?? nowMs;
      finishAt = Math.max(nowMs + REMAINING_SHARE * estimate, readyAt + estimate);
      workMs += finishAt - nowMs;
    } else {
      readyAt = nowMs;
      if (task.status === 'in_progress') readyAt = Math.max(nowMs, task.lease_expires_at_ms ?? nowMs);
      for (const dep of task.depends_on) {
        const parent = byId.get(dep);
        if (parent !== undefined) readyAt = Math.max(readyAt, parent.finish_at_ms);
      }
      finishAt = readyAt + estimate;
      workMs += estimate;
    }
    end = Math.max(end, finishAt);
    const outlook = {
      task,
      estimate_ms: estimate,
      critical_path_ms: ranks.get(task.id) ?? estimate,
      ready_at_ms: readyAt,
      finish_at_ms: finishAt,
      worked,
    };
    byId.set(task.id, outlook);
  }
  const outlooks = order.map((task) => byId.get(task.id) as TaskOutlook);
  const chain = isChain(order, live);
  return {
    tasks: outlooks,
    byId,
    dead: tasks.filter((task) => !isFinished(task) && !live.has(task.id)).length,
    remaining_work_ms: workMs,
    remaining_critical_path_ms: end - nowMs,
    chain,
    chain_next: chain ? outlooks.find((outlook) => !outlook.worked) : undefined,
  };
}
