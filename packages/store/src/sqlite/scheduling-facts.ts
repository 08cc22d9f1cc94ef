import type { TaskStatus } from '@codex-team/contracts';
import {
  DEFAULT_DURATION_PRIOR_MS,
  compareClaimOrder,
  criticalPathRanks,
  durationsFromTotals,
  taskEstimateMs,
  type DurationModel,
  type RebalanceTask,
} from '@codex-team/scheduler';
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

/**
 * Expected durations learned from the team's done tasks, claim to completion, by required role
 * (durationsFromTotals over the totals a trigger keeps as tasks are done, with the scheduler's prior
 * before any is). Tasks done before their claim time was recorded teach nothing.
 */
export function learnedDurations(op: Op, teamId: string): DurationModel {
  const totals = op.sql.all<{ key: string; samples: number; total_ms: number }>(
    'SELECT role_key AS key, samples, total_ms FROM task_duration_totals WHERE team_id = ?',
    teamId,
  );
  return durationsFromTotals(totals, DEFAULT_DURATION_PRIOR_MS);
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
  updated_at: number;
  delegated_to_team_id: string | null;
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

// A candidate no unfinished task waits on ranks at its own expected duration: its estimate, else
// its role's learned mean, the same for every such task of a role. So the first of them in claim
// order is among three, each found by the database in index order without reading the others:
// the leaf with the largest estimate, and the first leaf without one of each kind (own role, none).
const FIRST_ESTIMATED_LEAF = `SELECT t.id, t.priority, t.seq, t.required_role, t.estimate_min FROM tasks t
     WHERE ${CLAIMABLE} AND t.estimate_min IS NOT NULL AND NOT ${WAITED_ON_BY_BLOCKED}
     ORDER BY t.estimate_min DESC, t.priority DESC, t.seq ASC LIMIT 1`;
const FIRST_UNESTIMATED_LEAF = `SELECT t.id, t.priority, t.seq, t.required_role, t.estimate_min FROM tasks t
     WHERE ${CLAIMABLE} AND t.estimate_min IS NULL AND t.required_role IS @kind AND NOT ${WAITED_ON_BY_BLOCKED}
     ORDER BY t.priority DESC, t.seq ASC LIMIT 1`;

// Claim order without ranks (every rank equal): priority, then creation (SqliteTeamStoreOptions.rankClaims).
const FIRST_BY_PRIORITY = `SELECT t.id, t.priority, t.seq, t.required_role, t.estimate_min FROM tasks t
     WHERE ${CLAIMABLE} ORDER BY t.priority DESC, t.seq ASC LIMIT 1`;

// Candidates some unfinished task waits on, found from the blocked side (none in a flat backlog):
// their ranks need the work below them.
// (CROSS JOIN keeps that order: from the blocked tasks to what they wait on, never ready x blocked.)
const WAITED_ON = `SELECT DISTINCT t.id, t.priority, t.seq, t.required_role, t.estimate_min
     FROM tasks c CROSS JOIN task_dependencies d CROSS JOIN tasks t
     WHERE c.team_id = @team AND c.status = 'blocked' AND d.task_id = c.id AND t.id = d.depends_on_id AND ${CLAIMABLE}`;

// What ranking the waited-on candidates reads: the team's tasks that are not done (failed and
// cancelled ones included: what waits on them is dead work, never ranked) and the dependencies of
// the unfinished ones. Done tasks wait for nothing and weigh nothing below a ready task.
const NOT_DONE = `SELECT id, status, required_role, estimate_min FROM tasks
     WHERE team_id = ? AND status IN ('blocked', 'ready', 'in_progress', 'failed', 'cancelled')`;
const UNFINISHED_EDGES = `SELECT d.task_id, d.depends_on_id FROM tasks t JOIN task_dependencies d ON d.task_id = t.id
     WHERE t.team_id = ? AND t.status IN ('blocked', 'ready', 'in_progress')`;

/** The expected duration claim order weighs a task at (scheduler's taskEstimateMs). */
function weightOf(task: Pick<Candidate, 'required_role' | 'estimate_min'>, model: DurationModel): number {
  return taskEstimateMs({ required_role: task.required_role, estimate_ms: task.estimate_min === null ? null : task.estimate_min * MINUTE_MS }, model);
}

/**
 * The task the caller claims: the first claimable task in claim order (CLAIM_ORDER), each ranked
 * inside this transaction with the scheduler's criticalPathRanks over the team's unfinished work,
 * each task weighing its estimate, else its role's learned duration. Reads only what the ranks
 * need: the best candidate nothing waits on is found by the database in index order, and the
 * unfinished work is read only when some candidate has work waiting on it. Undefined when nothing
 * is claimable. A store opened with rankClaims false ranks nothing: every rank equal.
 */
export function nextInClaimOrder(op: Op, query: ClaimQuery): { id: string } | undefined {
  if (!op.rankClaims) return op.sql.get<Candidate>(FIRST_BY_PRIORITY, query);
  const model = learnedDurations(op, query.team);
  const facts = (task: Candidate, rank: number) => ({ critical_path_ms: rank, priority: task.priority, creation: task.seq });
  let first: Candidate | undefined;
  let firstFacts: ReturnType<typeof facts> | undefined;
  const consider = (task: Candidate | undefined, rank: (task: Candidate) => number): void => {
    if (task === undefined) return;
    const mine = facts(task, rank(task));
    if (firstFacts === undefined || compareClaimOrder(mine, firstFacts) < 0) {
      first = task;
      firstFacts = mine;
    }
  };
  const leafRank = (task: Candidate): number => weightOf(task, model);
  consider(op.sql.get<Candidate>(FIRST_ESTIMATED_LEAF, query), leafRank);
  if (query.own === 1) consider(op.sql.get<Candidate>(FIRST_UNESTIMATED_LEAF, { ...query, kind: query.role }), leafRank);
  if (query.unassigned === 1) consider(op.sql.get<Candidate>(FIRST_UNESTIMATED_LEAF, { ...query, kind: null }), leafRank);
  const waitedOn = op.sql.all<Candidate>(WAITED_ON, query);
  if (waitedOn.length === 0) return first;
  const nodes = new Map(
    op.sql
      .all<{ id: string; status: TaskStatus; required_role: string | null; estimate_min: number | null }>(NOT_DONE, query.team)
      .map((task) => [task.id, { ...task, depends_on: [] as string[] }]),
  );
  for (const edge of op.sql.all<{ task_id: string; depends_on_id: string }>(UNFINISHED_EDGES, query.team)) {
    if (nodes.has(edge.depends_on_id)) nodes.get(edge.task_id)?.depends_on.push(edge.depends_on_id);
  }
  const ranks = criticalPathRanks([...nodes.values()], (task) => weightOf(task, model));
  for (const task of waitedOn) consider(task, (candidate) => ranks.get(candidate.id) ?? weightOf(candidate, model));
  return first;
}
