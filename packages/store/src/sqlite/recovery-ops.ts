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
import { teamStateHead } from './rebalance-ops';
import { AGENT_COLUMNS, TEAM_COLUMNS, iso, toAgent, type AgentRow, type TeamRow } from './row-mappers';
import { recordLapse } from './mode-ops';
import { reloadTask, taskEntity } from './task-rows';
import { subtreeIds } from './tree-rows';
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
  // A team waiting on its child teams is not idle: their activity is its own.
  let latest = team.created_at;
  for (const teamId of subtreeIds(op, team.id)) {
    const byAgent =
      op.sql.value<number>('SELECT at FROM audit_events WHERE team_id = ? AND actor_agent_id IS NOT NULL ORDER BY seq DESC LIMIT 1', teamId) ?? 0;
    const seen = op.sql.value<number>('SELECT MAX(last_seen_at) FROM agents WHERE team_id = ?', teamId) ?? 0;
    latest = Math.max(latest, byAgent, seen);
  }
  return latest;
}

/**
 * Claims in flight and non-retired agents of every active team in scope (a team's scope covers the
 * teams below it: a lead steers its descendants), in a fixed order (team, then creation), so every
 * process decides the same steps in the same order from the same rows.
 */
export function recoveryView(op: Op, scope: RecoveryScope): RecoveryView {
  const teams = op.sql.all<TeamRow & { lead_lost_at: number | null }>(
    `SELECT ${TEAM_COLUMNS}, lead_lost_at FROM teams WHERE state = 'active' AND (@team IS NULL OR id IN (
       WITH RECURSIVE sub(id) AS (SELECT @team UNION ALL SELECT t.id FROM teams t JOIN sub ON t.parent_team_id = sub.id)
       SELECT id FROM sub))
     ORDER BY id`,
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
      parent: parentOf(op, team),
      leadLostAt: team.lead_lost_at,
      lastActivityAt: lastActivityAt(op, team),
      stateHead: teamStateHead(op, team.id),
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
          principalAgentId: agent.principal_agent_id,
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

/** checkpointProgress's count; PostgreSQL's twin is keyed by this text (pg-statements.ts). */
export const EVENTS_SINCE_SQL = 'SELECT COUNT(*) FROM (SELECT 1 FROM audit_events WHERE team_id = ? AND seq > ? LIMIT ?)';

/** The latest checkpoint's last event and the events since, counted no further than the profile's interval. */
function checkpointProgress(op: Op, teamId: string, profile: Profile | null): { uptoSeq: number; eventsSince: number } {
  const uptoSeq = latestCheckpoint(op, teamId)?.upto_seq ?? 0;
  const every = profile?.checkpoint?.every_events ?? DEFAULTS.checkpointEveryEvents;
  if (every === 0) return { uptoSeq, eventsSince: 0 };
  const eventsSince =
    op.sql.value<number>(EVENTS_SINCE_SQL, teamId, uptoSeq, every) ?? 0;
  return { uptoSeq, eventsSince };
}

/** A child team's parent and its lead, for the notice of a lost lead. */
function parentOf(op: Op, team: TeamRow): { teamId: string; leadAgentId: string } | null {
  if (team.parent_team_id === null) return null;
  const lead = op.sql.value<string>('SELECT lead_agent_id FROM teams WHERE id = ?', team.parent_team_id);
  return lead === undefined ? null : { teamId: team.parent_team_id, leadAgentId: lead };
}

/**
 * Tells a child team's parent lead, once, that the child's lead is lost: if the team has not
 * reported it yet and its lead is still neither active nor played by another agent. The team is
 * left as it is. The notice is the change's one event (in the parent's trail).
 */
function reportLeadLost(op: Op, team: TeamRow, step: Extract<RecoveryStep, { kind: 'report_lead_lost' }>, notices: Message[]): string | null {
  const lostAt = op.sql.value<number | null>('SELECT lead_lost_at FROM teams WHERE id = ?', team.id);
  const parent = parentOf(op, team);
  const lead = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`, team.lead_agent_id);
  if (lostAt !== step.expect.leadLostAt || parent === null || lead === undefined) return null;
  if (lead.state === 'active' || lead.principal_agent_id !== null) return null;
  op.sql.run('UPDATE teams SET lead_lost_at = ? WHERE id = ?', op.now, team.id);
  const body = [
    `codex-team recovery: the lead ${lead.name} of your child team ${team.name} (${team.id}) is lost: ${step.reason}.`,
    'Its team and tasks are intact. Take it over: team_child {"action":"takeover","team":"' + team.id + '"}, or cancel it:',
    'team_finalize {"team":"' + team.id + '","force":true} (its delegated tasks then fail or return to your pool).',
  ].join(' ');
  notices.push(
    insertNotice(op, parent.teamId, parent.leadAgentId, body, `${step.rule}: the lead of child team ${team.name} is lost; its parent's lead is told`),
  );
  return 'reported';
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
    data: { task, taken_from: { agent_id: step.expect.ownerAgentId, fence: step.expect.fence }, rule: step.rule },
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
    data: { agent: toAgent(row), idle_since: row.idle_since === null ? null : iso(row.idle_since), rule: step.rule },
  });
  return row.state;
}

/** Finalizes a team idle as a whole, if no agent acted since the decision; its open tasks are cancelled. */
function finalizeIdleTeam(op: Op, team: TeamRow, step: Extract<RecoveryStep, { kind: 'finalize_team' }>): string | null {
  if (lastActivityAt(op, team) > step.expect.lastActivityAt) return null;
  closeTeam(
    op,
    team.id,
    null,
    `finalized by the idle sweep: ${step.reason}`,
    (cancelled) => `${step.rule}: ${step.reason}; ${cancelled} unfinished tasks cancelled`,
    'sweep',
  );
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

function applyStep(op: Op, team: TeamRow, step: RecoveryStep, notices: Message[]): string | null {
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
    case 'report_lead_lost':
      return reportLeadLost(op, team, step, notices);
  }
}

/**
 * Applies a plan in one transaction. Steps whose rows changed since the decision are skipped, so
 * applying a plan twice, or two plans of two sweeps, changes things once. A claim of an agent whose
 * retirement in the same plan was skipped is skipped too: the decision took it back because that
 * agent was retired (a late write of the agent's own session, such as its disconnect, may be what
 * changed its row); the next sweep decides both again. The lead of every team with an applied
 * step gets one notice listing them.
 */
export function applyRecovery(op: Op, plan: RecoveryPlan): RecoveryResult {
  const applied: AppliedRecoveryStep[] = [];
  const skipped: RecoveryStep[] = [];
  const notRetired = new Set<string>();
  // One read per team serves its steps and its notice (read again after a step changes the team).
  const teams = new Map<string, TeamRow | undefined>();
  const teamOf = (teamId: string): TeamRow | undefined => {
    if (!teams.has(teamId)) teams.set(teamId, op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, teamId));
    return teams.get(teamId);
  };
  const notices: Message[] = [];
  for (const step of plan.steps) {
    const team = teamOf(step.teamId);
    const orphaned = step.kind === 'reclaim_task' && notRetired.has(step.expect.ownerAgentId);
    const outcome = team === undefined || team.state !== 'active' || orphaned ? null : applyStep(op, team, step, notices);
    if (step.kind === 'retire_agent' && outcome === null) notRetired.add(step.agentId);
    // A lapse changes the team row, a finalize its children's too: read them again for later steps.
    if (outcome !== null && step.kind === 'expire_mode') teams.delete(step.teamId);
    if (outcome !== null && step.kind === 'finalize_team') teams.clear();
    if (outcome === null) skipped.push(step);
    else applied.push({ step, outcome });
  }
  // A team's lead is told what recovery did in its team, except of its own loss (its parent's lead
  // is told of that: report_lead_lost).
  const noticed = applied.filter(
    ({ step }) => NOTICED.has(step.kind) && !(step.kind === 'mark_agent_lost' && step.agentId === teamOf(step.teamId)?.lead_agent_id),
  );
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
