import { TeamError, type ToolOutput } from '@codex-team/contracts';
import type { HeartbeatRequest, LeaseOptions, SessionBinding } from '../team-store';
import { findAgent, recordSeen, requireTeam, requireThreadSlot } from './access';
import { appendAudit } from './audit';
import { requireLeaseMs } from './claim-ops';
import { iso, toAgent, type AgentRow, type TaskRow } from './row-mappers';
import { reloadTask, requireHolder, requireTask, taskEntity } from './task-rows';
import type { Op } from './transaction';

/**
 * A lost agent (marked disconnected by recovery) that proves it is alive takes a thread slot again,
 * checked like a resume so the cap holds; the lead holds no slot. A full team answers NOT_BOUND:
 * the session has lost its place and the lead decides who gets it.
 */
function reinstate(op: Op, row: AgentRow): void {
  const team = requireTeam(op, row.team_id);
  if (team.lead_agent_id === row.id || team.state !== 'active') return;
  try {
    requireThreadSlot(op, team, 'active', row.id);
  } catch (error) {
    throw new TeamError(
      'NOT_BOUND',
      `recovery marked ${row.name} lost and all ${team.max_threads} thread slots are taken again; ` +
        'ask the lead, who may retire a teammate or finalize',
      { agent_id: row.id, max_threads: team.max_threads, cause: error instanceof Error ? error.message : String(error) },
    );
  }
}

/**
 * One heartbeat: the agent is seen now (`agent.heartbeat`) and every listed claim gets a fresh
 * lease (`task.renew` each). Every claim is checked before anything is written, so a single stale
 * claim refuses the whole call with STALE_CLAIM and nothing changes: an expired lease cannot be
 * renewed by its old holder, whose fence recovery has moved on or whose lease is gone.
 */
export function heartbeatAgent(
  op: Op,
  binding: SessionBinding,
  request: HeartbeatRequest,
  options: LeaseOptions,
): ToolOutput<'team_heartbeat'> {
  requireLeaseMs(options);
  const row = findAgent(op, binding.teamId, binding.agentId);
  if (row === undefined || row.state === 'retired' || row.epoch !== binding.epoch) {
    throw new TeamError('NOT_BOUND', `session is not bound to agent ${binding.agentId}`, { agent_id: binding.agentId });
  }
  const team = requireTeam(op, row.team_id);
  if (team.state === 'finalized') {
    throw new TeamError('TEAM_FINALIZED', `team ${team.name} is finalized and accepts no changes`, { team_id: team.id });
  }
  if (row.state !== 'active' && !request.reinstate) {
    return { last_seen_at: row.last_seen_at === null ? null : iso(row.last_seen_at), leases: [] };
  }
  const returning = row.state !== 'active';
  if (returning) reinstate(op, row);

  const claims: TaskRow[] = [];
  const seen = new Set<string>();
  for (const claim of request.tasks) {
    const task = requireTask(op, team.id, claim.task_id);
    requireHolder(op, task, row, claim.fence);
    if (seen.has(task.id)) continue;
    seen.add(task.id);
    claims.push(task);
  }

  const agent = toAgent(recordSeen(op, row, returning ? `${row.name} is back after recovery marked it lost; it holds a thread slot again` : 'heartbeat'));

  const leaseExpiresAt = op.now + options.leaseMs;
  const leases = claims.map((task) => {
    op.sql.run('UPDATE tasks SET lease_expires_at = ?, updated_at = ? WHERE id = ?', leaseExpiresAt, op.now, task.id);
    const renewed = taskEntity(op, reloadTask(op, task.id));
    appendAudit(op, {
      teamId: team.id,
      actorAgentId: row.id,
      action: 'task.renew',
      subjectId: task.id,
      reason: `lease renewed by heartbeat until ${iso(leaseExpiresAt)}`,
      data: { task: renewed },
    });
    return { task_id: task.id, fence: task.fence, lease_expires_at: iso(leaseExpiresAt) };
  });
  return { last_seen_at: agent.last_seen_at, leases };
}
