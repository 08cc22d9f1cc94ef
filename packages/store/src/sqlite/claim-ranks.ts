import type { TaskStatus } from '@codex-team/contracts';
import { liveWork, waitedOnInClaimOrder, type DurationModel, type LiveWork, type RankedTask } from '@codex-team/scheduler';
import type { Op } from './transaction';

/** What ranking reads of a task the team has not done (failed and cancelled ones included). */
export interface RankNode {
  id: string;
  status: TaskStatus;
  required_role: string | null;
  estimate_min: number | null;
  priority: number;
  seq: number;
  depends_on: string[];
}

/** One team's ranks as a process keeps them (see ClaimRankCache). */
interface TeamRanks {
  /** The team's dag_versions row it was built from. */
  version: number;
  work: LiveWork<RankNode>;
  /** The learned durations the order was ranked with (durationsKey). */
  durations: string;
  /** The waited-on live tasks in claim order (waitedOnInClaimOrder), less those seen done. */
  order: RankedTask[];
  /** Tasks seen done since it was built: done tasks stay done until the version moves. */
  done: Set<string>;
}

// What ranking reads: the team's tasks that are not done (failed and cancelled ones included: what
// waits on them is dead work, never ranked) and the dependencies of the unfinished ones. Done tasks
// wait for nothing and weigh nothing below a ready task.
const NOT_DONE = `SELECT id, status, required_role, estimate_min, priority, seq FROM tasks
     WHERE team_id = ? AND status IN ('blocked', 'ready', 'in_progress', 'failed', 'cancelled')`;
const UNFINISHED_EDGES = `SELECT d.task_id, d.depends_on_id FROM tasks t JOIN task_dependencies d ON d.task_id = t.id
     WHERE t.team_id = ? AND t.status IN ('blocked', 'ready', 'in_progress')`;

/** A process keeps the ranks of this many teams at most (a server usually serves one). */
const TEAMS_KEPT = 32;

/**
 * The claim-order ranks of each team's waited-on work, kept by one store (one process) between
 * claims: rebuilt from the database only when the team's DAG version (the `dag_versions` row its
 * triggers move) has moved, and re-ranked only when the learned durations changed. What a
 * transaction learns is kept only once it commits (a read commits nothing, so at once): a version
 * or a status read inside a write that rolls back may never have been.
 */
export class ClaimRankCache {
  private readonly teams = new Map<string, TeamRanks>();

  /**
   * The team's waited-on live tasks in claim order, ranked with `model` (whose content `durations`
   * names), from this process's copy when it is current.
   */
  waitedOn(op: Op, teamId: string, model: DurationModel, durations: string, weight: (node: RankNode, model: DurationModel) => number): RankedTask[] {
    const version = op.sql.value<number>('SELECT version FROM dag_versions WHERE team_id = ?', teamId) ?? 0;
    const kept = this.teams.get(teamId);
    const same = kept !== undefined && kept.version === version;
    // Nothing waits on anything not done (a flat backlog, or all of it done): no rank to keep up.
    if (same && (kept.durations === durations || kept.order.length === 0)) return kept.order;
    const work = same ? kept.work : liveWork(readNodes(op, teamId));
    const done = same ? kept.done : new Set<string>();
    const order = waitedOnInClaimOrder(work, (node) => weight(node, model)).filter((task) => !done.has(task.id));
    const fresh: TeamRanks = { version, work, durations, order, done };
    this.keep(op, () => this.store(teamId, fresh));
    return order;
  }

  /**
   * Whether warming the team's ranks before a claim may save its write some work: this process
   * keeps none yet, or keeps waited-on work whose ranks move with every completion. A team whose
   * unfinished work waits on nothing (a flat backlog) is not worth an extra read per claim.
   */
  worthWarming(teamId: string): boolean {
    const kept = this.teams.get(teamId);
    return kept === undefined || kept.order.length > 0;
  }

  /** Drops tasks seen done from the team's `order` (as waitedOn answered it), if it is still the one kept. */
  dropDone(op: Op, teamId: string, order: readonly RankedTask[], done: ReadonlySet<string>): void {
    if (done.size === 0) return;
    this.keep(op, () => {
      const kept = this.teams.get(teamId);
      if (kept?.order !== order) return;
      kept.order = order.filter((task) => !done.has(task.id));
      for (const id of done) kept.done.add(id);
    });
  }

  private keep(op: Op, work: () => void): void {
    if (op.writable) op.afterCommit(work);
    else work();
  }

  private store(teamId: string, ranks: TeamRanks): void {
    this.teams.delete(teamId);
    this.teams.set(teamId, ranks);
    if (this.teams.size > TEAMS_KEPT) this.teams.delete(this.teams.keys().next().value as string);
  }
}

function readNodes(op: Op, teamId: string): RankNode[] {
  const nodes = new Map(op.sql.all<Omit<RankNode, 'depends_on'>>(NOT_DONE, teamId).map((task) => [task.id, { ...task, depends_on: [] as string[] }]));
  for (const edge of op.sql.all<{ task_id: string; depends_on_id: string }>(UNFINISHED_EDGES, teamId)) {
    if (nodes.has(edge.depends_on_id)) nodes.get(edge.task_id)?.depends_on.push(edge.depends_on_id);
  }
  return [...nodes.values()];
}
