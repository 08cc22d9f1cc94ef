import { DEFAULTS, LEAD_ROLE, LIMITS, TeamError, type ToolInput } from '@codex-team/contracts';
import { childLine, parentLine, type ClosedBy } from '@codex-team/hierarchy';
import type { Actor, BoundAgent, CreateTeamInput, FinalizedTeam, TeamStatusBase } from '../team-store';
import { countThreads, logDecision, requireCaller, requireLead, requireTeam, requireWriter, treeThreadsOf } from './access';
import { recordCodexThread } from './agent-ops';
import { appendAudit } from './audit';
import { refusalError, teamSizeRuling } from '@codex-team/policy-engine';
import { countUnread } from './message-ops';
import { AGENT_COLUMNS, TASK_COLUMNS, iso, toAgent, toTeam, type AgentRow, type TaskRow, type TeamRow } from './row-mappers';
import { taskEntities, tasksByStatus } from './task-rows';
import type { Op } from './transaction';
import { finishChild } from './tree-ops';
import { budgetOf, liveChildren, treeNodes } from './tree-rows';

/**
 * Creates a team and its lead (bound at epoch 1) as one state change: `team.start`. The profile
 * must be one the store knows (NOT_FOUND); max_threads defaults to its threads.default (lowered to
 * Codex's cap when the store knows it) and may not exceed its threads.hard_cap.
 */
export function createTeam(op: Op, input: CreateTeamInput): BoundAgent {
  const profileName = input.profile ?? DEFAULTS.profile;
  const size = teamSizeRuling(op.profileOf(profileName), input.maxThreads, op.codexThreadCap);
  if (size.decision === 'deny') throw refusalError(size);
  const maxThreads = size.maxThreads;
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > LIMITS.maxThreadsHardCap) {
    throw new TeamError('INVALID_INPUT', `max_threads must be an integer from 1 to ${LIMITS.maxThreadsHardCap}`, {
      max_threads: maxThreads,
    });
  }
  const teamId = op.ids.next('tm');
  const leadId = op.ids.next('ag');
  op.sql.run(
    `INSERT INTO teams (id, name, objective, state, lead_agent_id, max_threads, profile, created_at, root_team_id, cwd, repo)
     VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)`,
    teamId,
    input.name,
    input.objective,
    leadId,
    maxThreads,
    profileName,
    op.now,
    teamId,
    input.cwd ?? null,
    input.repo ?? null,
  );
  op.sql.run(
    `INSERT INTO agents (id, team_id, name, role, state, epoch, resume_ticket_hash, created_at, joined_at, last_seen_at)
     VALUES (?, ?, ?, ?, 'active', 1, ?, ?, ?, ?)`,
    leadId,
    teamId,
    input.leadName,
    LEAD_ROLE,
    input.resumeTicketHash,
    op.now,
    op.now,
    op.now,
  );
  recordCodexThread(op, leadId, input.codexThreadId);
  const team = toTeam(requireTeam(op, teamId));
  const agentRow = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`, leadId);
  if (agentRow === undefined) throw new TeamError('INTERNAL', 'the lead agent was not stored');
  const agent = toAgent(agentRow);
  appendAudit(op, {
    teamId,
    actorAgentId: leadId,
    action: 'team.start',
    subjectId: teamId,
    reason: `team ${input.name} started with lead ${input.leadName}`,
    data: { team, agent, epoch: 1 },
  });
  op.subject = { teamId, agentId: leadId, role: LEAD_ROLE };
  return { team, agent, epoch: 1 };
}

/** The one-line view of a team's children, and of its parent for a child team (what it may see of it). */
function treeLines(op: Op, team: TeamRow): Pick<TeamStatusBase, 'parent' | 'children'> {
  const childIds = op.sql.all<{ id: string }>('SELECT id FROM teams WHERE parent_team_id = ? ORDER BY created_at, rowid', team.id).map((row) => row.id);
  const lines: Pick<TeamStatusBase, 'parent' | 'children'> = childIds.length === 0 ? {} : { children: treeNodes(op, childIds).map(childLine) };
  if (team.parent_team_id === null) return lines;
  const parent = requireTeam(op, team.parent_team_id);
  const briefs = op.sql.all<{ id: string; title: string }>(
    "SELECT id, title FROM tasks WHERE team_id = ? AND delegated_to_team_id = ? AND status = 'in_progress' ORDER BY seq",
    parent.id,
    team.id,
  );
  return { ...lines, parent: parentLine(parent, briefs) };
}

export function getStatus(op: Op, actor: Actor): TeamStatusBase {
  const caller = requireCaller(op, actor, 'team_status');
  const agents = op.sql.all<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? ORDER BY seq`, caller.team.id);
  const policy = op.sql.get<{ used_tokens: number; consensus_at: number | null }>(
    'SELECT used_tokens, consensus_at FROM teams WHERE id = ?',
    caller.team.id,
  );
  return {
    team: toTeam(caller.team),
    me: toAgent(caller.agent),
    agents: agents.map(toAgent),
    tasks_by_status: tasksByStatus(op, caller.team.id),
    active_threads: countThreads(op, caller.team, 'invited_or_active'),
    // An ancestor's lead looking in has no inbox in this team.
    unread_messages: caller.relation === 'self' ? countUnread(op, caller.team.id, caller.agent.id) : 0,
    consensus_at: policy?.consensus_at == null ? null : iso(policy.consensus_at),
    used_tokens: policy?.used_tokens ?? 0,
    budget: budgetOf(op, caller.team),
    threads: treeThreadsOf(op, caller.team),
    ...treeLines(op, caller.team),
  };
}

/**
 * CONFLICT, unless `force`, while the team has live child teams or unfinished tasks (blocked,
 * ready, in progress): who finalizes a team (its lead, an ancestor's lead, the operator) finishes
 * or cancels that work first. A refusal for live children is logged as a decision.
 */
export function requireClosable(op: Op, team: TeamRow, force: boolean): void {
  const children = liveChildren(op, team.id);
  if (children.length > 0 && !force) {
    const refusal = {
      decision: 'deny' as const,
      rule: 'hierarchy.live_children',
      reason: `${children.length} child teams still run`,
      inputs: { live_children: children.length },
    };
    logDecision(op, team, refusal);
    throw new TeamError(
      'CONFLICT',
      `${children.length} child teams still run (${children.map((child) => `${child.id} ${child.name}`).join(', ')}); ` +
        'wait for them to finalize, or finalize with force to cancel them with this team',
      { rule: refusal.rule, live_children: children.map((child) => child.id) },
    );
  }
  const counts = tasksByStatus(op, team.id);
  const open = counts.blocked + counts.ready + counts.in_progress;
  if (open > 0 && !force) {
    throw new TeamError(
      'CONFLICT',
      `${open} tasks are unfinished (${counts.blocked} blocked, ${counts.ready} ready, ` +
        `${counts.in_progress} in progress); finish them or finalize with force to cancel them`,
      { blocked: counts.blocked, ready: counts.ready, in_progress: counts.in_progress },
    );
  }
}

/**
 * Lead only (or an ancestor's lead). Live child teams, then unfinished tasks (blocked, ready, in
 * progress) refuse the call with CONFLICT unless `force`, which cancels them inside the same change:
 * every live descendant is closed first (closeTeam), then the one `team.finalize` event carries the
 * team and every cancelled task as they are afterwards. A child team rolls up into its parent.
 */
export function finalizeTeam(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_finalize'>,
): FinalizedTeam {
  const caller = requireWriter(op, actor, 'team_finalize');
  requireLead(op, caller, 'team_finalize', 'finalize the team');
  requireClosable(op, caller.team, input.force);
  return closeTeam(
    op,
    caller.team.id,
    caller.home.agent.id,
    input.summary,
    (cancelled) =>
      cancelled === 0 ? 'team finalized with every task finished' : `team finalized with force; ${cancelled} unfinished tasks cancelled`,
    caller.relation === 'parent' ? 'ancestor' : 'lead',
  );
}

/**
 * Finalizes a team, cancelling its unfinished tasks, as one `team.finalize` event by `actorAgentId`
 * (null for the idle sweep). Its live child teams are closed first (deepest first, each cancelled
 * by whoever closes this one), and a child team rolls up into its parent right after (finishChild).
 * The callers have checked who may do it.
 */
export function closeTeam(
  op: Op,
  teamId: string,
  actorAgentId: string | null,
  summary: string,
  reasonFor: (cancelled: number) => string,
  closedBy: ClosedBy,
): FinalizedTeam {
  for (const child of liveChildren(op, teamId)) {
    closeTeam(
      op,
      child.id,
      actorAgentId,
      `cancelled: its parent team was finalized${summary === '' ? '' : ` (${summary})`}`,
      (cancelled) => `cancelled with its parent team; ${cancelled} unfinished tasks cancelled`,
      closedBy === 'sweep' ? 'sweep' : 'ancestor',
    );
  }
  const openRows = op.sql.all<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE team_id = ? AND status IN ('blocked', 'ready', 'in_progress') ORDER BY seq`,
    teamId,
  );
  // The holder of a cancelled claim keeps ownership for the record but loses its lease, so any
  // later write it attempts with its fence is STALE_CLAIM.
  op.sql.run(
    `UPDATE tasks SET status = 'cancelled', lease_expires_at = NULL, updated_at = ?
     WHERE team_id = ? AND status IN ('blocked', 'ready', 'in_progress')`,
    op.now,
    teamId,
  );
  op.sql.run("UPDATE teams SET state = 'finalized', finalized_at = ?, summary = ? WHERE id = ?", op.now, summary, teamId);
  const team = toTeam(requireTeam(op, teamId));
  const cancelledIds = openRows.map((row) => row.id);
  const cancelled = taskEntities(
    op,
    cancelledIds.length === 0
      ? []
      : op.sql.all<TaskRow>(
          `SELECT ${TASK_COLUMNS} FROM tasks WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
          JSON.stringify(cancelledIds),
        ),
  );
  appendAudit(op, {
    teamId: team.id,
    actorAgentId,
    action: 'team.finalize',
    subjectId: team.id,
    reason: reasonFor(cancelledIds.length),
    data: { team, cancelled_tasks: cancelled },
  });
  finishChild(op, requireTeam(op, teamId), { cancelledOpen: cancelledIds.length, closedBy, actorAgentId, summary });
  return { team, cancelled_task_ids: cancelledIds };
}
