import type { TaskStatus } from '@codex-team/contracts';
import {
  DEFAULT_DURATION_PRIOR_MS,
  compareClaimOrder,
  durationsFromTotals,
  taskEstimateMs,
  type ClaimOrderFacts,
  type DurationModel,
  type RankedTask,
  type RebalanceTask,
} from '@codex-team/scheduler';
import { claimConflict } from './busy-error';
import type { ClaimRankCache } from './claim-ranks';
import { NO_UNFINISHED_DEPENDENCY, teamDependencies } from './task-rows';
import type { Op } from './transaction';

const MINUTE_MS = 60_000;

interface SchedulingRow {
  id: string;
  seq: number;
  status: TaskStatus;
  required_role: string | null;
  priority: number;
  owner_agent_id: string | null;
  claimed_at: number | null;
  lease_expires_at: number | null;
  estimate_min: number | null;
  updated_at: number;
  delegated_to_team_id: string | null;
}

/**
 * A team's tasks as claim order and the rebalancing controller read them, in creation order: the
 * DAG, each claim's holder, claim time and lease, and each task's own estimate (ms) when it has one.
 * One query for the tasks and one for the dependencies.
 */
export function schedulingTasks(op: Op, teamId: string): RebalanceTask[] {
  const deps = teamDependencies(op, teamId);
  return op.sql
    .all<SchedulingRow>(
      `SELECT id, seq, status, required_role, priority, owner_agent_id, claimed_at, lease_expires_at, estimate_min, updated_at, delegated_to_team_id
       FROM tasks WHERE team_id = ? ORDER BY seq`,
      teamId,
    )
    .map((row) => {
      const held = row.status === 'in_progress';
      // A delegated task is held by its child team from its delegation (the row's last change) on.
      const delegated = held && row.delegated_to_team_id !== null;
      return {
        id: row.id,
        status: row.status,
        depends_on: deps.get(row.id) ?? [],
        required_role: row.required_role,
        priority: row.priority,
        owner_agent_id: held ? row.owner_agent_id : null,
        seq: row.seq,
        claimed_at_ms: delegated ? row.updated_at : held ? row.claimed_at : null,
        lease_expires_at_ms: held ? row.lease_expires_at : null,
        estimate_ms: row.estimate_min === null ? null : row.estimate_min * MINUTE_MS,
        ...(delegated ? { delegated } : {}),
      };
    });
}

/** The team's duration totals by role key, as the trigger keeps them. */
function durationTotals(op: Op, teamId: string): { key: string; samples: number; total_ms: number }[] {
  return op.sql.all<{ key: string; samples: number; total_ms: number }>(
    'SELECT role_key AS key, samples, total_ms FROM task_duration_totals WHERE team_id = ? ORDER BY role_key',
    teamId,
  );
}

/**
 * Expected durations learned from the team's done tasks, claim to completion, by required role
 * (durationsFromTotals over the totals a trigger keeps as tasks are done, with the scheduler's prior
 * before any is). Tasks done before their claim time was recorded teach nothing.
 */
export function learnedDurations(op: Op, teamId: string): DurationModel {
  return durationsFromTotals(durationTotals(op, teamId), DEFAULT_DURATION_PRIOR_MS);
}

/** The claim being decided: the caller's team and role, and the kinds of task it may claim. */
export interface ClaimQuery {
  team: string;
  role: string;
  /** 1 when it may claim tasks naming no role, else 0. */
  unassigned: number;
  /** 1 when it may claim tasks of its own role, else 0. */
  own: number;
}

/** A task the caller may claim now, with what claim order reads of it. */
interface Candidate {
  id: string;
  priority: number;
  seq: number;
  required_role: string | null;
  estimate_min: number | null;
}

// The claimable-task predicate of claimRefusal, as SQL: ready, every dependency done, and of a
// kind the caller may claim (its own role's, or naming no role). The claims conformance suite
// checks that the store claims exactly what scheduler's selectNextTask picks.
const CLAIMABLE = `t.team_id = @team AND t.status = 'ready'
       AND ((t.required_role IS NULL AND @unassigned = 1) OR (t.required_role = @role AND @own = 1))
       AND ${NO_UNFINISHED_DEPENDENCY}`;
// A ready task's unfinished dependants are all blocked (none can start before it is done).
const WAITED_ON_BY_BLOCKED = `EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks c ON c.id = d.task_id
                  WHERE d.depends_on_id = t.id AND c.status = 'blocked')`;

// The three picks below are a claim's own: PostgreSQL locks the task each finds and skips tasks
// other claims hold (pg-statements' CLAIM_LOCKING: FOR UPDATE SKIP LOCKED), so claims side by side
// find tasks of their own.
// A candidate no unfinished task waits on ranks at its own expected duration: its estimate, else
// its role's learned mean, the same for every such task of a role. So the first of them in claim
// order is among three, each found by the database in index order without reading the others:
// the leaf with the largest estimate, and the first leaf without one of each kind (own role, none).
export const FIRST_ESTIMATED_LEAF = `SELECT t.id, t.priority, t.seq, t.required_role, t.estimate_min FROM tasks t
     WHERE ${CLAIMABLE} AND t.estimate_min IS NOT NULL AND NOT ${WAITED_ON_BY_BLOCKED}
     ORDER BY t.estimate_min DESC, t.priority DESC, t.seq ASC LIMIT 1`;
export const FIRST_UNESTIMATED_LEAF = `SELECT t.id, t.priority, t.seq, t.required_role, t.estimate_min FROM tasks t
     WHERE ${CLAIMABLE} AND t.estimate_min IS NULL AND t.required_role IS @kind AND NOT ${WAITED_ON_BY_BLOCKED}
     ORDER BY t.priority DESC, t.seq ASC LIMIT 1`;

// Claim order without ranks (every rank equal): priority, then creation (SqliteTeamStoreOptions.rankClaims).
export const FIRST_BY_PRIORITY = `SELECT t.id, t.priority, t.seq, t.required_role, t.estimate_min FROM tasks t
     WHERE ${CLAIMABLE} ORDER BY t.priority DESC, t.seq ASC LIMIT 1`;

/**
 * Whether the caller may claim any task at all, held by another claim or not: asked only when the
 * picks found none (see nextInClaimOrder). Never locks.
 */
export const ANY_CLAIMABLE_SQL = `SELECT 1 FROM tasks t WHERE ${CLAIMABLE} LIMIT 1`;

/**
 * A claim's hold on the task it chose, before its first write: the task's row if it is still ready.
 * PostgreSQL locks it, or answers none when another claim holds it (pg-statements' CLAIM_LOCKING:
 * FOR UPDATE SKIP LOCKED); SQLite's one writer always finds it.
 */
export const CLAIM_HOLD_SQL = "SELECT t.id FROM tasks t WHERE t.id = ? AND t.status = 'ready'";

// Of the waited-on tasks given (a JSON array of ids), where each stands now: whether the caller may
// claim it, and whether it is done (1 or 0, as both engines answer a CASE).
const WAITED_ON_NOW = `SELECT t.id, CASE WHEN ${CLAIMABLE} THEN 1 ELSE 0 END AS claimable, CASE WHEN t.status = 'done' THEN 1 ELSE 0 END AS done
     FROM json_each(@ids) j JOIN tasks t ON t.id = j.value`;

/** The first batch of waited-on tasks looked at per claim; each further batch is four times larger. */
const FIRST_BATCH = 16;

/** The expected duration claim order weighs a task at (scheduler's taskEstimateMs). */
function weightOf(task: Pick<Candidate, 'required_role' | 'estimate_min'>, model: DurationModel): number {
  return taskEstimateMs({ required_role: task.required_role, estimate_ms: task.estimate_min === null ? null : task.estimate_min * MINUTE_MS }, model);
}

/**
 * The first task of `order` (waited-on tasks in claim order) the caller may claim now, looked up in
 * growing batches; the tasks found done are dropped from the process's copy.
 */
function firstClaimableWaitedOn(op: Op, query: ClaimQuery, ranks: ClaimRankCache, order: readonly RankedTask[], passed: ReadonlySet<string>): RankedTask | undefined {
  const done = new Set<string>();
  let found: RankedTask | undefined;
  for (let from = 0, size = FIRST_BATCH; from < order.length && found === undefined; from += size, size *= 4) {
    const batch = order.slice(from, from + size);
    const claimable = new Set<string>();
    for (const row of op.sql.all<{ id: string; claimable: number; done: number }>(WAITED_ON_NOW, { ...query, ids: JSON.stringify(batch.map((task) => task.id)) })) {
      if (Number(row.done) === 1) done.add(row.id);
      else if (Number(row.claimable) === 1) claimable.add(row.id);
    }
    found = batch.find((task) => claimable.has(task.id) && !passed.has(task.id));
  }
  ranks.dropDone(op, query.team, order, done);
  return found;
}

/**
 * The task the caller claims, held: the first claimable task in claim order (CLAIM_ORDER), by the
 * scheduler's critical-path ranks over the team's unfinished work, each task weighing its estimate,
 * else its role's learned duration. A task no unfinished task waits on ranks at its own weight: the
 * best such is found by the database in index order (a pick, which holds what it finds). The tasks
 * something waits on are ranked by the process's ClaimRankCache (rebuilt only when the DAG's shape
 * changed, re-ranked when the learned durations did) and looked up in that order; the one chosen is
 * held then (holdForClaim), and one another claim holds is passed over for the next. Undefined when
 * nothing is claimable. When the picks found nothing but a task is still claimable, another claim
 * holds it (PostgreSQL, claims side by side): a claim conflict, tried again once that claim is done,
 * rather than a "nothing to claim" that is not so (or a retirement it would justify). A store opened
 * with rankClaims false ranks nothing: every rank equal.
 */
export function nextInClaimOrder(op: Op, query: ClaimQuery): { id: string } | undefined {
  const passed = new Set<string>();
  for (;;) {
    const found = firstInClaimOrder(op, query, passed);
    if (found === undefined) {
      if (op.sql.value<number>(ANY_CLAIMABLE_SQL, query) !== undefined) throw claimConflict('every task the caller may claim');
      return undefined;
    }
    if (found.held || holdForClaim(op, found.id)) return found;
    passed.add(found.id);
  }
}

/** Whether the claim now holds task `taskId` (CLAIM_HOLD_SQL): false when another claim holds it, or it is no longer ready. */
export function holdForClaim(op: Op, taskId: string): boolean {
  return op.sql.get<{ id: string }>(CLAIM_HOLD_SQL, taskId) !== undefined;
}

/** The first claimable task in claim order but the waited-on tasks `passed` (see nextInClaimOrder); `held` when a pick found it. */
function firstInClaimOrder(op: Op, query: ClaimQuery, passed: ReadonlySet<string>): { id: string; held: boolean } | undefined {
  if (op.claimRanks === null) {
    const task = op.sql.get<Candidate>(FIRST_BY_PRIORITY, query);
    return task === undefined ? undefined : { id: task.id, held: true };
  }
  const { model, order } = rankedWaitedOn(op, op.claimRanks, query.team);
  let first: (ClaimOrderFacts & { id: string; held: boolean }) | undefined;
  const consider = (task: (ClaimOrderFacts & { id: string; held: boolean }) | undefined): void => {
    if (task !== undefined && (first === undefined || compareClaimOrder(task, first) < 0)) first = task;
  };
  const leaf = (task: Candidate | undefined) =>
    task === undefined ? undefined : { id: task.id, held: true, critical_path_ms: weightOf(task, model), priority: task.priority, creation: task.seq };
  consider(leaf(op.sql.get<Candidate>(FIRST_ESTIMATED_LEAF, query)));
  if (query.own === 1) consider(leaf(op.sql.get<Candidate>(FIRST_UNESTIMATED_LEAF, { ...query, kind: query.role })));
  if (query.unassigned === 1) consider(leaf(op.sql.get<Candidate>(FIRST_UNESTIMATED_LEAF, { ...query, kind: null })));
  const waitedOn = firstClaimableWaitedOn(op, query, op.claimRanks, order, passed);
  consider(waitedOn === undefined ? undefined : { ...waitedOn, held: false });
  return first;
}

/** The learned durations, and the team's waited-on tasks in claim order ranked with them (ClaimRankCache). */
function rankedWaitedOn(op: Op, ranks: ClaimRankCache, teamId: string): { model: DurationModel; order: RankedTask[] } {
  const totals = durationTotals(op, teamId);
  const model = durationsFromTotals(totals, DEFAULT_DURATION_PRIOR_MS);
  const durations = totals.map((total) => `${total.key}:${total.samples}:${total.total_ms}`).join('|');
  return { model, order: ranks.waitedOn(op, teamId, model, durations, weightOf) };
}

/**
 * Brings the process's ranks of the team up to date in a read, before a claim's write: a rebuild
 * (a new process, a changed DAG) or a re-rank (durations learned since) then happens outside the
 * write lock, and the claim finds them current unless a write came in between.
 */
export function warmClaimRanks(op: Op, teamId: string): void {
  if (op.claimRanks !== null) rankedWaitedOn(op, op.claimRanks, teamId);
}
