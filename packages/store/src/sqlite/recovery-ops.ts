import { DEFAULTS, TeamError, type AgentState, type Message, type Profile } from '@codex-team/contracts';
import type {
  AppliedRecoveryStep,
  RecoveryAgentView,
  RecoveryClaimView,
  RecoveryPlan,
  RecoveryResult,
  RecoveryScope,
  RecoveryStep,
  RecoveryView,
} from '../team-store';
import { appendAudit } from './audit';
import { checkpointTeam, latestCheckpoint } from './checkpoint-ops';
import { insertNotice } from './message-ops';
import { AGENT_COLUMNS, TEAM_COLUMNS, iso, toAgent, type AgentRow, type TeamRow } from './row-mappers';
import { recordLapse } from './mode-ops';
import { reloadTask, taskEntity } from './task-rows';
import { closeTeam } from './team-ops';
import type { Op } from './transaction';

/** Audit actions of recovery itself: what a resumed session is told recovery did. */
export const RECOVERY_ACTIONS = ['task.recover', 'agent.lost'];

interface ClaimRow {
  team_id: string;
  id: string;
  title: string;
  owner_agent_id: string;
  fence: number;
  lease_expires_at: number | null;
  attempts: number;
}

/** The team's profile as the store knows it, or null (recovery then uses the default numbers). */
function knownProfile(op: Op, name: string): Profile | null {
  try {
    return op.profileOf(name);
  } catch {
    return null;
  }
}

/**
 * What the store can prove of a team's activity: the latest state change one of its agents made,
 * the latest heartbeat (last_seen_at), or its start. The sweep's own events (actor null) are not
 * activity.
 */
export function lastActivityAt(op: Op, team: TeamRow): number {
  const byAgent =
    op.sql.value<number>('SELECT at FROM audit_events WHERE team_id = ? AND actor_agent_id IS NOT NULL ORDER BY seq DESC LIMIT 1', team.id) ?? 0;
  const seen = op.sql.value<number>('SELECT MAX(last_seen_at) FROM agents WHERE team_id = ?', team.id) ?? 0;
  return Math.max(byAgent, seen, team.created_at);
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
      settings: knownProfile(op, team.profile),
      leadAgentId: team.lead_agent_id,
      lastActivityAt: lastActivityAt(op, team),
      mode: { current: team.mode, expiresAt: team.mode_expires_at, returnsTo: team.mode_returns_to },
      checkpoint: checkpointProgress(op, team.id, knownProfile(op, team.profile)),
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

/** The latest checkpoint's last event and the events since, counted no further than the profile's interval. */
function checkpointProgress(op: Op, teamId: string, profile: Profile | null): { uptoSeq: number; eventsSince: number } {
  const uptoSeq = latestCheckpoint(op, teamId)?.upto_seq ?? 0;
  const every = profile?.checkpoint?.every_events ?? DEFAULTS.checkpointEveryEvents;
  if (every === 0) return { uptoSeq, eventsSince: 0 };
  const eventsSince =
    op.sql.value<number>('SELECT COUNT(*) FROM (SELECT 1 FROM audit_events WHERE team_id = ? AND seq > ? LIMIT ?)', teamId, uptoSeq, every) ?? 0;
  return { uptoSeq, eventsSince };
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

/** Retires an idle teammate, if it is still exactly as the decision saw it: its slot is free for good. */
function retireAgent(op: Op, step: Extract<RecoveryStep, { kind: 'retire_agent' }>): AgentState | null {
  // An invited agent that never joined loses its join ticket with its slot.
  const changed = op.sql.run(
    `UPDATE agents SET state = 'retired', join_ticket_hash = NULL, idle_since = coalesce(idle_since, @now)
     WHERE id = @id AND team_id = @team AND state = @state AND epoch = @epoch AND last_seen_at IS @seen`,
    { now: op.now, id: step.agentId, team: step.teamId, state: step.expect.state, epoch: step.expect.epoch, seen: step.expect.lastSeenAt },
  ).changes;
  if (changed === 0) return null;
  const row = op.sql.get<AgentRow & { idle_since: number | null }>(`SELECT ${AGENT_COLUMNS}, idle_since FROM agents WHERE id = ?`, step.agentId);
  if (row === undefined) throw new TeamError('INTERNAL', `agent ${step.agentId} vanished inside a transaction`);
  appendAudit(op, {
    teamId: step.teamId,
    actorAgentId: null,
    action: 'agent.retire',
    subjectId: step.agentId,
    reason: `${step.rule}: ${step.reason}`,
    data: { agent: toAgent(row), idle_since: row.idle_since === null ? null : iso(row.idle_since) },
  });
  return row.state;
}

/** Finalizes a team idle as a whole, if no agent acted since the decision; its open tasks are cancelled. */
function finalizeIdleTeam(op: Op, team: TeamRow, step: Extract<RecoveryStep, { kind: 'finalize_team' }>): string | null {
  if (lastActivityAt(op, team) > step.expect.lastActivityAt) return null;
  closeTeam(op, team.id, null, `finalized by the idle sweep: ${step.reason}`, (cancelled) => `${step.rule}: ${step.reason}; ${cancelled} unfinished tasks cancelled`);
  return 'finalized';
}

/** Records a lapsed temporary mode once (compare-and-set on its expiry). */
function expireMode(op: Op, team: TeamRow, step: Extract<RecoveryStep, { kind: 'expire_mode' }>): string | null {
  if (team.mode_expires_at !== step.expect.expiresAt) return null;
  return recordLapse(op, team) ? 'lapsed' : null;
}

// Steps the lead is told about in its notice: claims taken back and agents lost. Idle retirements,
// idle finalizes and mode lapses are in the audit trail and the lead's hints already.
const NOTICED: ReadonlySet<RecoveryStep['kind']> = new Set(['reclaim_task', 'mark_agent_lost']);

function noticeBody(applied: readonly AppliedRecoveryStep[]): string {
  const lines = applied.map(({ step, outcome }) =>
    step.kind === 'reclaim_task'
      ? `- task ${step.taskId} is ${outcome}: ${step.reason}`
      : `- ${step.kind === 'mark_agent_lost' ? `agent ${step.agentId}` : `team ${step.teamId}`} is ${outcome}: ${step.reason}`,
  );
  return [`codex-team recovery took ${applied.length} action(s):`, ...lines].join('\n');
}

function applyStep(op: Op, team: TeamRow, step: RecoveryStep): string | null {
  switch (step.kind) {
    case 'reclaim_task':
      return reclaimTask(op, step);
    case 'mark_agent_lost':
      return markAgentLost(op, step);
    case 'retire_agent':
      return retireAgent(op, step);
    case 'finalize_team':
      return finalizeIdleTeam(op, team, step);
    case 'expire_mode':
      return expireMode(op, team, step);
    case 'checkpoint_team': {
      const written = checkpointTeam(op, team.id, { expectUptoSeq: step.expect.uptoSeq });
      return written === null || !written.created ? null : `checkpoint ${written.checkpoint.number}`;
    }
  }
}

/**
 * Applies a plan in one transaction. Steps whose rows changed since the decision are skipped, so
 * applying a plan twice, or two plans of two sweeps, changes things once. The lead of every team
 * with an applied step gets one notice listing them.
 */
export function applyRecovery(op: Op, plan: RecoveryPlan): RecoveryResult {
  const applied: AppliedRecoveryStep[] = [];
  const skipped: RecoveryStep[] = [];
  // One read per team serves its steps and its notice (read again after a step changes the team).
  const teams = new Map<string, TeamRow | undefined>();
  const teamOf = (teamId: string): TeamRow | undefined => {
    if (!teams.has(teamId)) teams.set(teamId, op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, teamId));
    return teams.get(teamId);
  };
  for (const step of plan.steps) {
    const team = teamOf(step.teamId);
    const outcome = team === undefined || team.state !== 'active' ? null : applyStep(op, team, step);
    // A finalize or a lapse changes the team row: read it again for the steps after it.
    if (outcome !== null && (step.kind === 'finalize_team' || step.kind === 'expire_mode')) teams.delete(step.teamId);
    if (outcome === null) skipped.push(step);
    else applied.push({ step, outcome });
  }
  const notices: Message[] = [];
  const noticed = applied.filter(({ step }) => NOTICED.has(step.kind));
  const teamIds = [...new Set(noticed.map(({ step }) => step.teamId))];
  for (const teamId of teamIds) {
    const lead = teamOf(teamId)?.lead_agent_id;
    if (lead === undefined) continue;
    const mine = noticed.filter(({ step }) => step.teamId === teamId);
    notices.push(insertNotice(op, teamId, lead, noticeBody(mine), `recovery notice to the lead: ${mine.length} action(s)`));
  }
  return { applied, skipped, notices };
}

/** The previous session's bind event of this agent, so a brief covers it and the time since. */
export function previousBindSeq(op: Op, teamId: string, agentId: string): number {
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
