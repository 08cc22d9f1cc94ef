import { TaskStatusSchema, TeamError, type Task, type TaskStatus } from '@codex-team/contracts';
import { TASK_COLUMNS, iso, toTask, type AgentRow, type TaskRow } from './row-mappers';
import { appendAudit, type AuditAction } from './audit';
import type { Op } from './transaction';

/**
 * Readiness (scheduler's readyWhen: no dependency unfinished) as a predicate on task `t`, for the
 * queries that select ready tasks in the database.
 */
export const NO_UNFINISHED_DEPENDENCY = `NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks p ON p.id = d.depends_on_id
                       WHERE d.task_id = t.id AND p.status <> 'done')`;

/** Dependencies in the order they were given. */
export function dependenciesOf(op: Op, taskId: string): string[] {
  return op.sql
    .all<{ depends_on_id: string }>(
      'SELECT depends_on_id FROM task_dependencies WHERE task_id = ? ORDER BY rowid',
      taskId,
    )
    .map((row) => row.depends_on_id);
}

/**
 * The dependencies of every task of a team in one query, each list in the order given: reading a
 * whole team task by task cost one statement per task.
 */
export function teamDependencies(op: Op, teamId: string): Map<string, string[]> {
  const byTask = new Map<string, string[]>();
  const rows = op.sql.all<{ task_id: string; depends_on_id: string }>(
    `SELECT d.task_id, d.depends_on_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id
     WHERE t.team_id = ? ORDER BY d.rowid`,
    teamId,
  );
  for (const row of rows) {
    const list = byTask.get(row.task_id);
    if (list === undefined) byTask.set(row.task_id, [row.depends_on_id]);
    else list.push(row.depends_on_id);
  }
  return byTask;
}

export function taskEntity(op: Op, row: TaskRow): Task {
  return toTask(row, dependenciesOf(op, row.id));
}

export function taskEntities(op: Op, rows: readonly TaskRow[]): Task[] {
  return rows.map((row) => taskEntity(op, row));
}

export function findTask(op: Op, teamId: string, taskId: string): TaskRow | undefined {
  return op.sql.get<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ? AND team_id = ?`, taskId, teamId);
}

/** NOT_FOUND for unknown ids and for ids of other teams alike, so existence never leaks. */
export function requireTask(op: Op, teamId: string, taskId: string): TaskRow {
  const row = findTask(op, teamId, taskId);
  if (row === undefined) throw new TeamError('NOT_FOUND', `no task ${taskId} in this team`, { task_id: taskId });
  return row;
}

/**
 * A change its caller made to one task: the task as it is now, recorded as the call's one event
 * (`action`, with `reason` about the task as it is now). Returns the task.
 */
export function auditTaskChange(
  op: Op,
  caller: { team: { id: string }; agent: { id: string } },
  taskId: string,
  action: AuditAction,
  reason: (task: Task) => string,
): Task {
  const task = taskEntity(op, reloadTask(op, taskId));
  appendAudit(op, { teamId: caller.team.id, actorAgentId: caller.agent.id, action, subjectId: taskId, reason: reason(task), data: { task } });
  return task;
}

/** The row again after an update inside the same transaction. */
export function reloadTask(op: Op, taskId: string): TaskRow {
  const row = op.sql.get<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ?`, taskId);
  if (row === undefined) throw new TeamError('INTERNAL', `task ${taskId} vanished inside a transaction`);
  return row;
}

/**
 * STALE_CLAIM unless `agent` holds the task's current claim: it is in progress, owned by the agent,
 * the fence matches and the lease has not passed. The holder itself is refused once its lease
 * expired, because recovery may already have handed the task on.
 */
export function requireHolder(op: Op, task: TaskRow, agent: AgentRow, fence: number | undefined): void {
  const refuse = (why: string): never => {
    throw new TeamError('STALE_CLAIM', `you no longer hold task ${task.id}: ${why}; nothing changed`, {
      task_id: task.id,
      status: task.status,
    });
  };
  if (fence === undefined) refuse('a fence is required for a claimed task');
  if (task.status !== 'in_progress') refuse(`it is ${task.status}, not in progress`);
  if (task.owner_agent_id !== agent.id) refuse('it is claimed by another agent');
  if (task.fence !== fence) refuse(`fence ${String(fence)} is not the current claim`);
  if (task.lease_expires_at === null || task.lease_expires_at <= op.now) {
    refuse(`the lease expired at ${task.lease_expires_at === null ? 'claim end' : iso(task.lease_expires_at)}`);
  }
}

/** How many dependencies of the task are not done (what readiness is decided on). */
export function unfinishedDependencies(op: Op, taskId: string): number {
  return (
    op.sql.value<number>(
      `SELECT COUNT(*) FROM task_dependencies d JOIN tasks p ON p.id = d.depends_on_id
       WHERE d.task_id = ? AND p.status <> 'done'`,
      taskId,
    ) ?? 0
  );
}

function zeroCounts(): Record<TaskStatus, number> {
  const counts = {} as Record<TaskStatus, number>;
  for (const status of TaskStatusSchema.options) counts[status] = 0;
  return counts;
}

/** The team's task counts by status, kept by triggers (migration 0005): O(statuses), not O(tasks). */
export function tasksByStatus(op: Op, teamId: string): Record<TaskStatus, number> {
  const counts = zeroCounts();
  const rows = op.sql.all<{ status: TaskStatus; n: number }>('SELECT status, n FROM task_status_counts WHERE team_id = ?', teamId);
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
