import { TeamError, type AgentState, type Message, type ToolOutput } from '@codex-team/contracts';
import type {
  Actor,
  AppliedRecoveryStep,
  RecoveryAgentView,
  RecoveryClaimView,
  RecoveryPlan,
  RecoveryResult,
  RecoveryScope,
  RecoveryStep,
  RecoveryView,
} from '../team-store';
import { requireCaller } from './access';
import { appendAudit } from './audit';
import { countUnread, insertNotice } from './message-ops';
import { AGENT_COLUMNS, TEAM_COLUMNS, iso, toAgent, type AgentRow, type TeamRow } from './row-mappers';
import { reloadTask, taskEntity } from './task-rows';
import { tasksByStatus } from './team-ops';
import type { Op } from './transaction';

/** Audit actions of recovery itself: what a resumed session is told recovery did. */
const RECOVERY_ACTIONS = ['task.recover', 'agent.lost'];
/** Most claims and recovery events a resume snapshot lists; the rest is counted. */
const SNAPSHOT_LIST_MAX = 50;

interface ClaimRow {
  team_id: string;
  id: string;
  title: string;
  owner_agent_id: string;
  fence: number;
  lease_expires_at: number | null;
  attempts: number;
}

/**
 * Claims in flight and non-retired agents of every active team in scope, in a fixed order (team,
 * then creation), so every process decides the same steps in the same order from the same rows.
 */
export function recoveryView(op: Op, scope: RecoveryScope): RecoveryView {
  const teams = op.sql.all<TeamRow>(
    `SELECT ${TEAM_COLUMNS} FROM teams WHERE state = 'active' AND (@team IS NULL OR id = @team) ORDER BY id`,
    { team: scope.teamId ?? null },
  );
  // Per team, through the indexes every write already keeps up (agents by team and state, tasks by
  // team and status): a sweep reads the claims in flight without an index of its own to maintain.
  return {
    now: op.now,
    teams: teams.map((team) => ({
      teamId: team.id,
      name: team.name,
      profile: team.profile,
      leadAgentId: team.lead_agent_id,
      agents: op.sql
        .all<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? AND state <> 'retired' ORDER BY seq`, team.id)
        .map((agent): RecoveryAgentView => ({
          id: agent.id,
          name: agent.name,
          role: agent.role,
          state: agent.state,
          epoch: agent.epoch,
          lastSeenAt: agent.last_seen_at,
          createdAt: agent.created_at,
        })),
      claims: op.sql
        .all<ClaimRow>(
          `SELECT team_id, id, title, owner_agent_id, fence, lease_expires_at, attempts FROM tasks
           WHERE team_id = ? AND status = 'in_progress' AND owner_agent_id IS NOT NULL ORDER BY seq`,
          team.id,
        )
        .map((claim): RecoveryClaimView => ({
          taskId: claim.id,
          title: claim.title,
          ownerAgentId: claim.owner_agent_id,
          fence: claim.fence,
          leaseExpiresAt: claim.lease_expires_at,
          attempts: claim.attempts,
        })),
    })),
  };
}

/** Takes a claim back, if it is still exactly the claim the decision saw. */
function reclaimTask(op: Op, step: Extract<RecoveryStep, { kind: 'reclaim_task' }>): string | null {
  const changed =
    step.to === 'ready'
      ? op.sql.run(
          `UPDATE tasks SET status = 'ready', owner_agent_id = NULL, lease_expires_at = NULL, updated_at = @now
           WHERE id = @id AND team_id = @team AND status = 'in_progress' AND owner_agent_id = @owner
             AND fence = @fence AND lease_expires_at IS @lease`,
          { now: op.now, id: step.taskId, team: step.teamId, owner: step.expect.ownerAgentId, fence: step.expect.fence, lease: step.expect.leaseExpiresAt },
        ).changes
      : // A failed claim keeps its last owner for the record and says why in its result.
        op.sql.run(
          `UPDATE tasks SET status = 'failed', lease_expires_at = NULL, result = @result, completed_at = @now,
             updated_at = @now
           WHERE id = @id AND team_id = @team AND status = 'in_progress' AND owner_agent_id = @owner
             AND fence = @fence AND lease_expires_at IS @lease`,
          {
            now: op.now,
            result: `recovery: ${step.reason}`,
            id: step.taskId,
            team: step.teamId,
            owner: step.expect.ownerAgentId,
            fence: step.expect.fence,
            lease: step.expect.leaseExpiresAt,
          },
        ).changes;
  if (changed === 0) return null;
  const task = taskEntity(op, reloadTask(op, step.taskId));
  appendAudit(op, {
    teamId: step.teamId,
    actorAgentId: null,
    action: 'task.recover',
    subjectId: step.taskId,
    reason: `${step.reason} (rule ${step.rule})`,
    data: { task, taken_from: { agent_id: step.expect.ownerAgentId, fence: step.expect.fence } },
  });
  return task.status;
}

/** Marks an agent lost, if it is still exactly as the decision saw it; a lost agent holds no slot. */
function markAgentLost(op: Op, step: Extract<RecoveryStep, { kind: 'mark_agent_lost' }>): AgentState | null {
  const changed = op.sql.run(
    `UPDATE agents SET state = @to, join_ticket_hash = CASE WHEN @to = 'retired' THEN NULL ELSE join_ticket_hash END
     WHERE id = @id AND team_id = @team AND state = @state AND epoch = @epoch AND last_seen_at IS @seen`,
    {
      to: step.to,
      id: step.agentId,
      team: step.teamId,
      state: step.expect.state,
      epoch: step.expect.epoch,
      seen: step.expect.lastSeenAt,
    },
  ).changes;
  if (changed === 0) return null;
  const row = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`, step.agentId);
  if (row === undefined) throw new TeamError('INTERNAL', `agent ${step.agentId} vanished inside a transaction`);
  appendAudit(op, {
    teamId: step.teamId,
    actorAgentId: null,
    action: 'agent.lost',
    subjectId: step.agentId,
    reason: `${step.reason} (rule ${step.rule})`,
    data: { agent: toAgent(row), epoch: row.epoch },
  });
  return row.state;
}

function noticeBody(applied: readonly AppliedRecoveryStep[]): string {
  const lines = applied.map(({ step, outcome }) =>
    step.kind === 'reclaim_task'
      ? `- task ${step.taskId} is ${outcome}: ${step.reason}`
      : `- agent ${step.agentId} is ${outcome}: ${step.reason}`,
  );
  return [`codex-team recovery took ${applied.length} action(s):`, ...lines].join('\n');
}

/**
 * Applies a plan in one transaction. Steps whose rows changed since the decision are skipped, so
 * applying a plan twice, or two plans of two sweeps, changes things once. The lead of every team
 * with an applied step gets one notice listing them.
 */
export function applyRecovery(op: Op, plan: RecoveryPlan): RecoveryResult {
  const applied: AppliedRecoveryStep[] = [];
  const skipped: RecoveryStep[] = [];
  // Steps change tasks and agents, never a team row: one read per team serves every step and notice.
  const teams = new Map<string, TeamRow | undefined>();
  const teamOf = (teamId: string): TeamRow | undefined => {
    if (!teams.has(teamId)) teams.set(teamId, op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, teamId));
    return teams.get(teamId);
  };
  for (const step of plan.steps) {
    const team = teamOf(step.teamId);
    const outcome =
      team === undefined || team.state !== 'active'
        ? null
        : step.kind === 'reclaim_task'
          ? reclaimTask(op, step)
          : markAgentLost(op, step);
    if (outcome === null) skipped.push(step);
    else applied.push({ step, outcome });
  }
  const notices: Message[] = [];
  const teamIds = [...new Set(applied.map(({ step }) => step.teamId))];
  for (const teamId of teamIds) {
    const lead = teamOf(teamId)?.lead_agent_id;
    if (lead === undefined) continue;
    const mine = applied.filter(({ step }) => step.teamId === teamId);
    notices.push(insertNotice(op, teamId, lead, noticeBody(mine), `recovery notice to the lead: ${mine.length} action(s)`));
  }
  return { applied, skipped, notices };
}

/** The previous session's bind event of this agent, so the snapshot covers it and the time since. */
function previousBindSeq(op: Op, teamId: string, agentId: string): number {
  return (
    op.sql.value<number>(
      `SELECT seq FROM audit_events
       WHERE team_id = ? AND actor_agent_id = ? AND action IN ('team.start', 'agent.join', 'agent.resume')
       ORDER BY seq DESC LIMIT 1 OFFSET 1`,
      teamId,
      agentId,
    ) ?? 0
  );
}

export function resumeSnapshot(op: Op, actor: Actor): ToolOutput<'team_resume'>['snapshot'] {
  const caller = requireCaller(op, actor);
  const teamId = caller.team.id;
  const leases = op.sql.all<ClaimRow>(
    `SELECT team_id, id, title, owner_agent_id, fence, lease_expires_at, attempts FROM tasks
     WHERE team_id = ? AND status = 'in_progress' AND owner_agent_id IS NOT NULL
     ORDER BY lease_expires_at, seq LIMIT ?`,
    teamId,
    SNAPSHOT_LIST_MAX + 1,
  );
  const lost = op.sql.all<AgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? AND state = 'disconnected' ORDER BY seq`,
    teamId,
  );
  const since = previousBindSeq(op, teamId, caller.agent.id);
  const actions = JSON.stringify(RECOVERY_ACTIONS);
  const events = op.sql.all<{ seq: number; at: number; action: string; subject_id: string | null; reason: string }>(
    `SELECT seq, at, action, subject_id, reason FROM audit_events
     WHERE team_id = ? AND seq > ? AND action IN (SELECT value FROM json_each(?))
     ORDER BY seq DESC LIMIT ?`,
    teamId,
    since,
    actions,
    SNAPSHOT_LIST_MAX + 1,
  );
  const listed = leases.slice(0, SNAPSHOT_LIST_MAX);
  const listedEvents = events.slice(0, SNAPSHOT_LIST_MAX);
  // The status counts are kept by triggers, so they give the number of tasks in flight for free.
  const byStatus = tasksByStatus(op, teamId);
  return {
    tasks_by_status: byStatus,
    leases: listed.map((row) => ({
      task_id: row.id,
      owner_agent_id: row.owner_agent_id,
      fence: row.fence,
      lease_expires_at: row.lease_expires_at === null ? null : iso(row.lease_expires_at),
    })),
    agents_lost: lost.map((row) => ({
      id: row.id,
      name: row.name,
      state: row.state,
      last_seen_at: row.last_seen_at === null ? null : iso(row.last_seen_at),
    })),
    unread_messages: countUnread(op, teamId, caller.agent.id),
    recovery: listedEvents.reverse().map((event) => ({
      at: iso(event.at),
      action: event.action,
      subject_id: event.subject_id,
      reason: event.reason,
    })),
    truncated: byStatus.in_progress > listed.length || events.length > listedEvents.length,
  };
}
