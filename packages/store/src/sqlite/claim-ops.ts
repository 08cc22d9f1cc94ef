import { TeamError, type Task, type ToolInput } from '@codex-team/contracts';
import type { CallPermission } from '@codex-team/policy-engine';
import { EVERY_KIND, claimKindOf, claimRefusal, type ClaimableKinds } from '@codex-team/scheduler';
import type { Actor, ClaimOptions, LeaseOptions, NextClaim, TaskClaim, TaskCompletion } from '../team-store';
import { logDecision, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { claimConflict } from './busy-error';
import { admission, admit, refusePolicy } from './policy-ops';
import { TASK_COLUMNS, iso, type TaskRow } from './row-mappers';
import { retireByOrder, retireOrderFor } from './rebalance-ops';
import { holdForClaim, nextInClaimOrder } from './scheduling-facts';
import {
  NO_UNFINISHED_DEPENDENCY,
  auditTaskChange,
  requireHolder,
  requireTask,
  taskEntities,
  taskEntity,
  unfinishedDependencies,
  tasksByStatus,
} from './task-rows';
import type { Op } from './transaction';
import { requireModeAllows } from './mode-ops';
import { requireClaimCaps, requireCompletionGates } from './hook-ops';

type Claim = TaskClaim;

/** INVALID_INPUT unless the lease length is a positive whole number of ms; claims and heartbeats share it. */
export function requireLeaseMs(options: LeaseOptions): void {
  if (!Number.isInteger(options.leaseMs) || options.leaseMs <= 0) {
    throw new TeamError('INVALID_INPUT', 'leaseMs must be a positive integer', { lease_ms: options.leaseMs });
  }
}

/** The kinds of task the caller's permission answer lets it claim (every kind without one). */
function kindsOf(permission: CallPermission | undefined): ClaimableKinds {
  if (permission === undefined) return EVERY_KIND;
  return { ownRole: permission.allowed.includes('own_role'), unassigned: permission.allowed.includes('unassigned') };
}

/**
 * Takes the claim of a task the claim holds (holdForClaim). The UPDATE is still guarded by status:
 * a claim must never overwrite another one, whatever the caller did before. It answers the claimed
 * row itself (RETURNING), so the claim reads no row back.
 */
function takeClaim(op: Op, caller: Caller, task: Pick<TaskRow, 'id'>, options: LeaseOptions): Claim {
  const leaseExpiresAt = op.now + options.leaseMs;
  const row = op.sql.get<TaskRow>(
    `UPDATE tasks SET status = 'in_progress', owner_agent_id = ?, fence = fence + 1, attempts = attempts + 1,
       lease_expires_at = ?, claimed_at = ?, updated_at = ?
     WHERE id = ? AND status = 'ready'
     RETURNING ${TASK_COLUMNS}`,
    caller.agent.id,
    leaseExpiresAt,
    op.now,
    op.now,
    task.id,
  );
  if (row === undefined) throw new TeamError('INTERNAL', `task ${task.id} changed status during its claim`);
  const claimed = taskEntity(op, row);
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
 * The answer of team_task_next to an agent the team's latest rebalancing decision retires, while it
 * still applies (retireOrderFor): the agent is retired in this transaction and its slot is free.
 * An agent with a task it may claim now is not retired by a decision that saw none (the next
 * decision looks again), unless the team is over its ceiling. Null when the caller claims as usual.
 */
function retireIfOrdered(op: Op, caller: Caller, claimable: boolean): NextClaim | null {
  if (caller.isLead) return null;
  const order = retireOrderFor(op, caller.agent);
  if (order === null || (claimable && order.rule !== 'rebalance.retire.over_ceiling')) return null;
  retireByOrder(op, caller.agent, order, caller.team);
  return {
    claim: null,
    reason:
      `you are retired by the team's rebalancing (${order.rule}): ${order.reason}. Your slot is free for other work: ` +
      'end your turn now with a one-line summary and make no further team calls',
    retire: order.rule,
    open: 0,
  };
}

/**
 * Claims the first claimable task in claim order (CLAIM_ORDER: the longest critical path, then the
 * highest priority, then the oldest), ranked inside this transaction. Dependencies are re-checked in
 * the same query rather than trusted from the status. A team ready
 * to finalize answers no claim with the reason (the refusal is audited as `policy.deny`).
 */
export function claimNextTask(op: Op, actor: Actor, options: ClaimOptions): NextClaim {
  requireLeaseMs(options);
  const caller = requireWriter(op, actor);
  requireModeAllows(op, caller, 'team_task_next');
  const kinds = kindsOf(options.permission);
  const task = nextInClaimOrder(op, { team: caller.team.id, role: caller.agent.role, unassigned: kinds.unassigned ? 1 : 0, own: kinds.ownRole ? 1 : 0 });
  // A retire order comes before the per-agent caps: an agent past its caps is retired, not blocked.
  const retired = retireIfOrdered(op, caller, task !== undefined);
  if (retired !== null) return retired;
  requireClaimCaps(op, caller, 'team_task_next', null);
  const refusal = admission(op, caller, 'claim');
  if (refusal !== null) {
    if (refusal.rule !== 'guardrails.early_stop') refusePolicy(op, caller, refusal, 'team_task_next', null);
    // No claim is the answer of a team ready to finalize, so a teammate's loop ends; still audited.
    logDecision(op, caller.team, refusal);
    appendAudit(op, {
      teamId: caller.team.id,
      actorAgentId: caller.agent.id,
      action: 'policy.deny',
      decision: 'deny',
      subjectId: null,
      reason: `${refusal.rule}: ${refusal.message}`,
      data: { rule: refusal.rule, tool: 'team_task_next', code: refusal.code },
    });
    return { claim: null, reason: `the team is ready to finalize, no new claims: ${refusal.reason}`, open: 0 };
  }
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
      (kinds.unassigned ? '' : '; tasks that name no role are not yours to claim'),
    open: counts.ready + counts.blocked + counts.in_progress,
  };
}

/**
 * Claims one task by id if claimRefusal (the scheduler's one rule of role, kind and readiness)
 * lets the caller take it. A refusal by kind is the caller's permissions speaking: it is recorded
 * with the permission rule that denied that kind.
 */
export function claimTask(op: Op, actor: Actor, input: { task_id: string }, options: ClaimOptions): Claim {
  requireLeaseMs(options);
  const caller = requireWriter(op, actor);
  requireModeAllows(op, caller, 'team_task_next');
  const task = requireTask(op, caller.team.id, input.task_id);
  const refused = claimRefusal({
    task,
    unfinishedDependencies: unfinishedDependencies(op, task.id),
    role: caller.agent.role,
    kinds: kindsOf(options.permission),
  });
  if (refused !== null) {
    if (refused.rule === 'claim.kind') {
      const action = claimKindOf(task);
      const denied = options.permission?.decisions.find((decision) => decision.action === action);
      throw new TeamError(
        refused.code,
        refused.reason,
        { task_id: task.id, action },
        { kind: 'permission', rule: denied?.rule ?? refused.rule, inputs: { task_id: task.id, action }, action, matched: denied?.matched ?? [] },
      );
    }
    throw new TeamError(refused.code, refused.reason, refused.rule === 'claim.role' ? { required_role: task.required_role } : { status: task.status });
  }
  requireClaimCaps(op, caller, 'team_task_next', task.id);
  admit(op, caller, 'claim', 'team_task_next', task.id);
  // Held before the first write: a claim never waits on another claim's hold while it holds the
  // commit-order lock (PostgreSQL), which that claim would wait for in turn.
  if (!holdForClaim(op, task.id)) throw claimConflict(`task ${task.id}`);
  return takeClaim(op, caller, task, options);
}

/** Blocked dependants of `taskId` whose dependencies are now all done become ready; returns them as they are now. */
export function unblockDependants(op: Op, taskId: string): TaskRow[] {
  const candidates = op.sql.all<Pick<TaskRow, 'id'>>(
    `SELECT t.id FROM tasks t
     WHERE t.status = 'blocked' AND t.id IN (SELECT task_id FROM task_dependencies WHERE depends_on_id = ?)
       AND ${NO_UNFINISHED_DEPENDENCY}
     ORDER BY t.seq`,
    taskId,
  );
  return candidates.map((candidate) => {
    const row = op.sql.get<TaskRow>(`UPDATE tasks SET status = 'ready', updated_at = ? WHERE id = ? RETURNING ${TASK_COLUMNS}`, op.now, candidate.id);
    if (row === undefined) throw new TeamError('INTERNAL', `task ${candidate.id} vanished inside a transaction`);
    return row;
  });
}

/**
 * The holder finishes its claim, once: `done` unblocks dependants (listed in the same
 * `task.complete` event), `failed` leaves them blocked (`task.fail`).
 */
export function completeTask(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_task_complete'>,
): TaskCompletion {
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
  requireCompletionGates(op, caller, task, input, artifactIds);
  // The completed row as the UPDATE left it (RETURNING): unblocking dependants changes only theirs.
  const row = op.sql.get<TaskRow>(
    `UPDATE tasks SET status = ?, result = ?, result_artifact_ids = ?, lease_expires_at = NULL,
       completed_at = ?, updated_at = ?
     WHERE id = ?
     RETURNING ${TASK_COLUMNS}`,
    input.outcome,
    input.result,
    JSON.stringify(artifactIds),
    op.now,
    op.now,
    task.id,
  );
  if (row === undefined) throw new TeamError('INTERNAL', `task ${task.id} vanished inside a transaction`);
  const unblocked = input.outcome === 'done' ? unblockDependants(op, task.id) : [];
  const completed = taskEntity(op, row);
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
): { task: Task } {
  const caller = requireWriter(op, actor);
  const task = requireTask(op, caller.team.id, input.task_id);
  requireHolder(op, task, caller.agent, input.fence);
  op.sql.run(
    "UPDATE tasks SET status = 'ready', owner_agent_id = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
    op.now,
    task.id,
  );
  return { task: auditTaskChange(op, caller, task.id, 'task.release', () => input.reason) };
}
