import { TeamError, type ToolInput, type ToolOutput } from '@codex-team/contracts';
import type { Actor, ClaimOptions, ClaimableTasks, LeaseOptions } from '../team-store';
import { requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { admit } from './policy-ops';
import { TASK_COLUMNS, iso, type TaskRow } from './row-mappers';
import { dependenciesDone, reloadTask, requireHolder, requireTask, taskEntities, taskEntity } from './task-rows';
import { tasksByStatus } from './team-ops';
import type { Op } from './transaction';
import { requireModeAllows } from './mode-ops';

type Claim = ToolOutput<'team_task_claim'>;

/** INVALID_INPUT unless the lease length is a positive whole number of ms; claims and heartbeats share it. */
export function requireLeaseMs(options: LeaseOptions): void {
  if (!Number.isInteger(options.leaseMs) || options.leaseMs <= 0) {
    throw new TeamError('INVALID_INPUT', 'leaseMs must be a positive integer', { lease_ms: options.leaseMs });
  }
}

/** A task with no required role is anyone's; otherwise only that role's (the lead's role is `lead`). */
function roleMatches(task: TaskRow, caller: Caller): boolean {
  return task.required_role === null || task.required_role === caller.agent.role;
}

const EVERY_KIND: ClaimableTasks = { ownRole: true, unassigned: true };

/**
 * DENIED when the caller's permissions exclude this kind of task. Checked here, inside the claim's
 * transaction, because the task's required_role may change until the claim takes it.
 */
function requireClaimable(task: TaskRow, claimable: ClaimableTasks): void {
  const unassigned = task.required_role === null;
  if (unassigned ? claimable.unassigned : claimable.ownRole) return;
  const action = unassigned ? 'unassigned' : 'own_role';
  throw new TeamError(
    'DENIED',
    unassigned
      ? `task ${task.id} names no role (implementation work), which your permissions do not let you claim`
      : `your permissions do not let you claim tasks of your own role, like task ${task.id}`,
    { task_id: task.id, action },
  );
}

/**
 * Takes the claim. The UPDATE is guarded by status even though the IMMEDIATE transaction already
 * serialises writers: a claim must never overwrite another one, whatever the caller did before.
 */
function takeClaim(op: Op, caller: Caller, task: TaskRow, options: LeaseOptions): Claim {
  const leaseExpiresAt = op.now + options.leaseMs;
  const changed = op.sql.run(
    `UPDATE tasks SET status = 'in_progress', owner_agent_id = ?, fence = fence + 1, attempts = attempts + 1,
       lease_expires_at = ?, updated_at = ?
     WHERE id = ? AND status = 'ready'`,
    caller.agent.id,
    leaseExpiresAt,
    op.now,
    task.id,
  ).changes;
  if (changed !== 1) throw new TeamError('INTERNAL', `task ${task.id} changed status during its claim`);
  const claimed = taskEntity(op, reloadTask(op, task.id));
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'task.claim',
    subjectId: task.id,
    reason: `claimed with fence ${claimed.fence} until ${iso(leaseExpiresAt)}`,
    data: { task: claimed },
  });
  return { task: claimed, fence: claimed.fence, lease_expires_at: iso(leaseExpiresAt) };
}

/**
 * Claims the best ready task for the caller's role: highest priority, then oldest. Dependencies are
 * re-checked in the same query rather than trusted from the status.
 */
export function claimNextTask(op: Op, actor: Actor, options: ClaimOptions): ToolOutput<'team_task_next'> {
  requireLeaseMs(options);
  const caller = requireWriter(op, actor);
  requireModeAllows(op, caller, 'team_task_next');
  admit(op, caller, 'claim');
  const claimable = options.claimable ?? EVERY_KIND;
  const task = op.sql.get<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks t
     WHERE t.team_id = @team AND t.status = 'ready'
       AND ((t.required_role IS NULL AND @unassigned = 1) OR (t.required_role = @role AND @own = 1))
       AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks p ON p.id = d.depends_on_id
                       WHERE d.task_id = t.id AND p.status <> 'done')
     ORDER BY t.priority DESC, t.seq
     LIMIT 1`,
    {
      team: caller.team.id,
      role: caller.agent.role,
      unassigned: claimable.unassigned ? 1 : 0,
      own: claimable.ownRole ? 1 : 0,
    },
  );
  if (task !== undefined) {
    const claim = takeClaim(op, caller, task, options);
    return { claim, reason: null };
  }
  const counts = tasksByStatus(op, caller.team.id);
  return {
    claim: null,
    reason:
      `no ready task for role ${caller.agent.role}; ${counts.ready} ready for other roles, ` +
      `${counts.blocked} blocked, ${counts.in_progress} in progress` +
      (claimable.unassigned ? '' : '; tasks that name no role are not yours to claim'),
  };
}

export function claimTask(op: Op, actor: Actor, input: ToolInput<'team_task_claim'>, options: ClaimOptions): Claim {
  requireLeaseMs(options);
  const caller = requireWriter(op, actor);
  requireModeAllows(op, caller, 'team_task_claim');
  const task = requireTask(op, caller.team.id, input.task_id);
  if (task.status !== 'ready') {
    throw new TeamError('CONFLICT', `task ${task.id} is ${task.status}, not ready`, { status: task.status });
  }
  if (!roleMatches(task, caller)) {
    throw new TeamError('DENIED', `task ${task.id} needs role ${String(task.required_role)}, you are ${caller.agent.role}`, {
      required_role: task.required_role,
    });
  }
  requireClaimable(task, options.claimable ?? EVERY_KIND);
  if (!dependenciesDone(op, task.id)) {
    throw new TeamError('CONFLICT', `task ${task.id} has dependencies that are not done`, { status: task.status });
  }
  admit(op, caller, 'claim');
  return takeClaim(op, caller, task, options);
}

/** Blocked dependants of `taskId` whose dependencies are now all done become ready. */
function unblockDependants(op: Op, taskId: string): TaskRow[] {
  const candidates = op.sql.all<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks t
     WHERE t.status = 'blocked' AND t.id IN (SELECT task_id FROM task_dependencies WHERE depends_on_id = ?)
       AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks p ON p.id = d.depends_on_id
                       WHERE d.task_id = t.id AND p.status <> 'done')
     ORDER BY t.seq`,
    taskId,
  );
  for (const row of candidates) {
    op.sql.run("UPDATE tasks SET status = 'ready', updated_at = ? WHERE id = ?", op.now, row.id);
  }
  return candidates.map((row) => reloadTask(op, row.id));
}

/**
 * The holder finishes its claim, once: `done` unblocks dependants (listed in the same
 * `task.complete` event), `failed` leaves them blocked (`task.fail`).
 */
export function completeTask(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_task_complete'>,
): ToolOutput<'team_task_complete'> {
  const caller = requireWriter(op, actor);
  requireModeAllows(op, caller, 'team_task_complete');
  const task = requireTask(op, caller.team.id, input.task_id);
  requireHolder(op, task, caller.agent, input.fence);
  const artifactIds = [...new Set(input.artifact_ids)];
  for (const artifactId of artifactIds) {
    const found = op.sql.value<string>('SELECT id FROM artifacts WHERE id = ? AND team_id = ?', artifactId, caller.team.id);
    if (found === undefined) {
      throw new TeamError('NOT_FOUND', `no artifact ${artifactId} in this team`, { artifact_id: artifactId });
    }
  }
  op.sql.run(
    `UPDATE tasks SET status = ?, result = ?, result_artifact_ids = ?, lease_expires_at = NULL,
       completed_at = ?, updated_at = ?
     WHERE id = ?`,
    input.outcome,
    input.result,
    JSON.stringify(artifactIds),
    op.now,
    op.now,
    task.id,
  );
  const unblocked = input.outcome === 'done' ? unblockDependants(op, task.id) : [];
  const completed = taskEntity(op, reloadTask(op, task.id));
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: input.outcome === 'done' ? 'task.complete' : 'task.fail',
    subjectId: task.id,
    reason:
      input.outcome === 'done'
        ? `done; ${unblocked.length} dependants unblocked`
        : 'failed; its dependants stay blocked',
    data: { task: completed, artifact_ids: artifactIds, unblocked_tasks: taskEntities(op, unblocked) },
  });
  return { task: completed, unblocked_task_ids: unblocked.map((row) => row.id) };
}

/** The holder gives the task back: ready again, no owner or lease; the next claim bumps the fence. */
export function releaseTask(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_task_release'>,
): ToolOutput<'team_task_release'> {
  const caller = requireWriter(op, actor);
  const task = requireTask(op, caller.team.id, input.task_id);
  requireHolder(op, task, caller.agent, input.fence);
  op.sql.run(
    "UPDATE tasks SET status = 'ready', owner_agent_id = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
    op.now,
    task.id,
  );
  const released = taskEntity(op, reloadTask(op, task.id));
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'task.release',
    subjectId: task.id,
    reason: input.reason,
    data: { task: released },
  });
  return { task: released };
}
