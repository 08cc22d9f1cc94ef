import type { ErrorCode, Role, Task } from '@codex-team/contracts';
import { criticalPathRanks, type RankableTask } from './critical-path';
import { taskEstimateMs, type DurationModel, type EstimatedTask } from './task-durations';

/** The task fields readiness and claim order look at. */
export type SchedulableTask = Pick<Task, 'id' | 'status' | 'depends_on' | 'priority' | 'required_role'>;

/**
 * Readiness, the one definition: a task is ready when it is waiting (`blocked` or `ready`) and
 * none of its dependencies is unfinished. Stores count the unfinished dependencies in their own
 * query and apply this; `isReady` applies it to a list of done ids.
 */
export function readyWhen(status: Task['status'], unfinishedDependencies: number): boolean {
  return (status === 'ready' || status === 'blocked') && unfinishedDependencies === 0;
}

/** True when `task` is waiting and every dependency is among `doneIds`, the team's done tasks. */
export function isReady(task: Pick<Task, 'status' | 'depends_on'>, doneIds: ReadonlySet<string>): boolean {
  let unfinished = 0;
  for (const id of task.depends_on) if (!doneIds.has(id)) unfinished += 1;
  return readyWhen(task.status, unfinished);
}

/**
 * One key of claim order: a fact of the task and its direction. `critical_path` is the task's
 * critical-path rank (criticalPathRanks: the expected duration of the longest chain of live work
 * that starts with it); `creation` is the order the team's tasks were created in, which is the
 * order every store lists them (its creation sequence).
 */
export interface ClaimOrderKey {
  key: 'critical_path' | 'priority' | 'creation';
  direction: 'asc' | 'desc';
}

/**
 * Claim order, the one definition: the task the rest of the run waits on longest first (the
 * largest critical-path rank), then the highest priority, then the task created first. A total
 * order (no two tasks share a creation place), so every process picks the same task. The store
 * supplies each ready task's rank inside its claim transaction and picks with compareClaimOrder;
 * the rebalancing controller hands work out in the same order. Change claim order here, and only here.
 */
export const CLAIM_ORDER = [
  { key: 'critical_path', direction: 'desc' },
  { key: 'priority', direction: 'desc' },
  { key: 'creation', direction: 'asc' },
] as const satisfies readonly ClaimOrderKey[];

/** What claim order compares of a task: its critical-path rank (ms), its priority and its creation place (0 first). */
export interface ClaimOrderFacts {
  critical_path_ms: number;
  priority: number;
  creation: number;
}

const CLAIM_ORDER_FIELDS: Readonly<Record<ClaimOrderKey['key'], keyof ClaimOrderFacts>> = {
  critical_path: 'critical_path_ms',
  priority: 'priority',
  creation: 'creation',
};

/** Claim order of two tasks by CLAIM_ORDER; negative when `a` is claimed first. */
export function compareClaimOrder(a: ClaimOrderFacts, b: ClaimOrderFacts): number {
  for (const { key, direction } of CLAIM_ORDER) {
    const field = CLAIM_ORDER_FIELDS[key];
    const difference = a[field] - b[field];
    if (difference !== 0) return direction === 'desc' ? -difference : difference;
  }
  return 0;
}

/** Each live task's critical-path rank in ms (criticalPathRanks); a task absent ranks 0. */
export type ClaimRanks = ReadonlyMap<string, number>;

/**
 * The ranks claim order reads: criticalPathRanks over `tasks`, each task weighing its own estimate
 * when it has one, else the learned duration of its role (taskEstimateMs). Throws what
 * criticalPathRanks throws.
 */
export function claimRanks(tasks: readonly (RankableTask & EstimatedTask)[], durations: DurationModel): Map<string, number> {
  return criticalPathRanks(tasks, (task) => taskEstimateMs(task, durations));
}

/** The ready tasks among `tasks` (given in creation order, as stores list them), in claim order by `ranks`. */
export function readyTasks<T extends SchedulableTask>(tasks: readonly T[], ranks: ClaimRanks): T[] {
  // Only done tasks matter to readiness: a set of their ids stays small while a DAG is young, where
  // a map of every task cost most of this function at 100k tasks.
  const done = new Set<string>();
  for (const task of tasks) if (task.status === 'done') done.add(task.id);
  const ready: (ClaimOrderFacts & { task: T })[] = [];
  tasks.forEach((task, creation) => {
    if (isReady(task, done)) ready.push({ task, critical_path_ms: ranks.get(task.id) ?? 0, priority: task.priority, creation });
  });
  return ready.sort(compareClaimOrder).map((entry) => entry.task);
}

/** True when an agent of `role` may claim `task` by role: it names no role or names this one. */
export function isClaimableBy(task: Pick<Task, 'required_role'>, role: Role): boolean {
  return task.required_role === null || task.required_role === role;
}

/**
 * Which kinds of task a caller's permissions let it claim: its own role's (`own_role`) and those
 * naming no role (`unassigned`). Claims take only the allowed kinds.
 */
export interface ClaimableKinds {
  ownRole: boolean;
  unassigned: boolean;
}

/** Every kind: a claim not narrowed by permissions. */
export const EVERY_KIND: ClaimableKinds = { ownRole: true, unassigned: true };

/** The permission action naming a task's kind: `unassigned` for a task naming no role, else `own_role`. */
export function claimKindOf(task: Pick<Task, 'required_role'>): 'own_role' | 'unassigned' {
  return task.required_role === null ? 'unassigned' : 'own_role';
}

/** What a claim of one task is decided on, as the claim's transaction reads it. */
export interface ClaimFacts {
  task: Pick<Task, 'id' | 'status' | 'required_role'>;
  /** Dependencies of the task that are not done. */
  unfinishedDependencies: number;
  role: Role;
  kinds: ClaimableKinds;
}

/** Why a task may not be claimed: the rule, the code to answer and a sentence. */
export interface ClaimRefusal {
  rule: 'claim.status' | 'claim.role' | 'claim.kind' | 'claim.dependencies';
  code: ErrorCode;
  reason: string;
}

/**
 * Whether an agent may claim this task now, the one definition of role match and claimability:
 * it must be ready, name no role or the caller's, be of a kind the caller's permissions allow, and
 * have every dependency done. Null when it may.
 */
export function claimRefusal(facts: ClaimFacts): ClaimRefusal | null {
  const { task } = facts;
  if (task.status !== 'ready') {
    return { rule: 'claim.status', code: 'CONFLICT', reason: `task ${task.id} is ${task.status}, not ready` };
  }
  if (!isClaimableBy(task, facts.role)) {
    return { rule: 'claim.role', code: 'DENIED', reason: `task ${task.id} needs role ${String(task.required_role)}, you are ${facts.role}` };
  }
  const kind = claimKindOf(task);
  if (!(kind === 'unassigned' ? facts.kinds.unassigned : facts.kinds.ownRole)) {
    return {
      rule: 'claim.kind',
      code: 'DENIED',
      reason:
        kind === 'unassigned'
          ? `task ${task.id} names no role (implementation work), which your permissions do not let you claim`
          : `your permissions do not let you claim tasks of your own role, like task ${task.id}`,
    };
  }
  if (!readyWhen(task.status, facts.unfinishedDependencies)) {
    return { rule: 'claim.dependencies', code: 'CONFLICT', reason: `task ${task.id} has dependencies that are not done` };
  }
  return null;
}

/**
 * The task `team_task_next` hands an agent of `role`: the first of the ready tasks, in claim order
 * by `ranks` (claimRanks), that `claimRefusal` lets it claim; undefined when none. `tasks` are the
 * team's, in creation order.
 */
export function selectNextTask<T extends SchedulableTask>(
  tasks: readonly T[],
  role: Role,
  ranks: ClaimRanks,
  kinds: ClaimableKinds = EVERY_KIND,
): T | undefined {
  return readyTasks(tasks, ranks).find((task) => claimRefusal({ task, unfinishedDependencies: 0, role, kinds }) === null);
}
