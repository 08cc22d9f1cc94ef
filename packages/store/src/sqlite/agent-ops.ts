import { LEAD_ROLE, LIMITS, TeamError, type Agent } from '@codex-team/contracts';
import type { Actor, BoundAgent, CodexThreadAgent, JoinAgentInput, RestartAgentInput, ResumeAgentInput, SessionBinding, SpawnAgentInput } from '../team-store';
import { agentById, findAgent, requireLead, requireTeam, requireThreadSlot, requireWriter } from './access';
import { appendAudit } from './audit';
import { admit } from './policy-ops';
import { AGENT_COLUMNS, toAgent, toTeam, type AgentRow } from './row-mappers';
import type { Op } from './transaction';
import { requireModeAllows } from './mode-ops';

/**
 * Notes the Codex thread an agent was bound from, inside the binding's transaction. Binding
 * metadata like the ticket hashes: not part of the Agent entity, so no audit of its own.
 */
export function recordCodexThread(op: Op, agentId: string, codexThreadId: string | undefined): void {
  if (codexThreadId === undefined) return;
  op.sql.run('UPDATE agents SET codex_thread_id = ?, codex_thread_bound_at = ? WHERE id = ?', codexThreadId, op.now, agentId);
}

/** The agent a Codex thread was last bound to: the latest binding wins (a resumed session). */
export function findAgentByCodexThread(op: Op, codexThreadId: string): CodexThreadAgent | null {
  const row = op.sql.get<{ id: string; team_id: string }>(
    `SELECT id, team_id FROM agents WHERE codex_thread_id = ?
     ORDER BY codex_thread_bound_at DESC, seq DESC LIMIT 1`,
    codexThreadId,
  );
  return row === undefined ? null : { teamId: row.team_id as CodexThreadAgent['teamId'], agentId: row.id as CodexThreadAgent['agentId'] };
}

/**
 * Lead only: registers an invited teammate. The thread cap is checked here, inside the IMMEDIATE
 * transaction, so concurrent spawns from several processes cannot exceed it.
 */
export function spawnAgent(op: Op, actor: Actor, input: SpawnAgentInput): Agent {
  const caller = requireWriter(op, actor, 'team_spawn');
  requireLead(op, caller, 'team_spawn', 'spawn teammates');
  requireModeAllows(op, caller, 'team_spawn', { spawnRole: input.role });
  if (input.role === LEAD_ROLE) {
    throw new TeamError('INVALID_INPUT', 'a team has one lead; give the teammate another role');
  }
  const sameName = op.sql.value<string>('SELECT id FROM agents WHERE team_id = ? AND name = ?', caller.team.id, input.name);
  if (sameName !== undefined) {
    throw new TeamError('CONFLICT', `team ${caller.team.name} already has an agent named ${input.name}`, {
      agent_id: sameName,
    });
  }
  requireThreadSlot(op, caller.team, 'invited_or_active');
  admit(op, caller, 'spawn', 'team_spawn', null);
  const id = op.ids.next('ag');
  op.sql.run(
    `INSERT INTO agents (id, team_id, name, role, permission_profile, state, epoch, join_ticket_hash, created_at)
     VALUES (?, ?, ?, ?, ?, 'invited', 0, ?, ?)`,
    id,
    caller.team.id,
    input.name,
    input.role,
    input.permissionProfile ?? null,
    input.joinTicketHash,
    op.now,
  );
  const agent = toAgent(agentById(op, id));
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'agent.spawn',
    subjectId: id,
    reason:
      input.permissionProfile === undefined
        ? `lead invited ${input.name} as ${input.role}`
        : `lead invited ${input.name} as ${input.role} with permission profile ${input.permissionProfile}`,
    data: { agent },
  });
  return agent;
}

/**
 * Lead only: a new resume ticket for an existing teammate, so a fresh Codex thread can resume it
 * (team_resume) while its claims, fences and messages stay its own; the old ticket stops working.
 * The thread that now holds it stays bound until the new one resumes (epoch + 1). No slot changes
 * hands. CONFLICT for the lead itself, a retired teammate, one never joined (its join ticket is
 * still out) or a role other than its own; NOT_FOUND for an unknown name.
 */
export function restartAgent(op: Op, actor: Actor, input: RestartAgentInput): Agent {
  const caller = requireWriter(op, actor, 'team_spawn');
  requireLead(op, caller, 'team_spawn', 'restart teammates', 'restart');
  const row = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? AND name = ?`, caller.team.id, input.name);
  if (row === undefined) {
    throw new TeamError('NOT_FOUND', `team ${caller.team.name} has no agent named ${input.name} to restart`, { name: input.name });
  }
  const refuse = (why: string): never => {
    throw new TeamError('CONFLICT', `cannot restart ${row.name}: ${why}`, { agent_id: row.id, state: row.state });
  };
  if (row.id === caller.team.lead_agent_id) refuse('it is the lead; a lead restarts with its own resume ticket');
  if (row.state === 'retired') refuse('it is retired for good; spawn a new teammate');
  if (row.state === 'invited') refuse('it never joined; hand its join ticket to a thread instead');
  if (row.role !== input.role) refuse(`its role is ${row.role}, not ${input.role}`);
  op.sql.run('UPDATE agents SET resume_ticket_hash = ? WHERE id = ?', input.resumeTicketHash, row.id);
  const agent = toAgent(agentById(op, row.id));
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'agent.restart',
    subjectId: row.id,
    reason: `lead restarts ${row.name} on a fresh thread: new resume ticket, claims kept`,
    data: { agent },
  });
  return agent;
}

/** A ticket the store does not accept: identity failed, recorded as the call's deny (`identity:ticket`). */
function ticketRefused(code: 'NOT_FOUND' | 'DENIED', message: string, details?: Record<string, unknown>): TeamError {
  return new TeamError(code, message, details, { kind: 'identity', rule: 'identity:ticket', inputs: {} });
}

/** Consumes a join ticket: the hash is cleared, so a second join with it is NOT_FOUND. */
export function joinAgent(op: Op, input: JoinAgentInput): BoundAgent {
  const row = op.sql.get<AgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents WHERE join_ticket_hash = ? AND state = 'invited'`,
    input.joinTicketHash,
  );
  if (row === undefined) throw ticketRefused('NOT_FOUND', 'unknown or already used join ticket');
  const team = requireTeam(op, row.team_id);
  if (team.state === 'finalized') {
    throw new TeamError('TEAM_FINALIZED', `team ${team.name} is finalized; it takes no new teammates`);
  }
  // The spawn reserved a slot, but teammates resumed since then may have taken it. A child team's
  // lead joining holds a slot of the tree only.
  requireThreadSlot(op, team, 'active', row.id, team.lead_agent_id === row.id);
  op.sql.run(
    `UPDATE agents SET join_ticket_hash = NULL, resume_ticket_hash = ?, state = 'active', epoch = 1,
       joined_at = ?, last_seen_at = ? WHERE id = ?`,
    input.resumeTicketHash,
    op.now,
    op.now,
    row.id,
  );
  recordCodexThread(op, row.id, input.codexThreadId);
  const agent = toAgent(agentById(op, row.id));
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: row.id,
    action: 'agent.join',
    subjectId: row.id,
    reason: `${row.name} joined as ${row.role}`,
    data: { agent, epoch: 1 },
  });
  op.subject = { teamId: team.id, agentId: row.id, role: row.role };
  return { team: toTeam(team), agent, epoch: 1 };
}

/**
 * Re-binds by resume ticket with epoch + 1, which retires the previous session's binding, and
 * rotates the ticket: the one used is replaced by `nextResumeTicketHash` in the same transaction,
 * so a copy of it binds nothing afterwards (NOT_FOUND, `identity:ticket`). A finalized team may be
 * resumed (to read it); its writes then fail with TEAM_FINALIZED. A disconnected teammate coming
 * back takes a thread slot again, so the cap is checked.
 */
export function resumeAgent(op: Op, input: ResumeAgentInput): BoundAgent {
  const row = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE resume_ticket_hash = ?`, input.resumeTicketHash);
  if (row === undefined) throw ticketRefused('NOT_FOUND', 'unknown or already used resume ticket');
  if (row.state === 'retired') {
    throw ticketRefused('DENIED', `agent ${row.name} is retired and cannot be resumed`, { agent_id: row.id });
  }
  const team = requireTeam(op, row.team_id);
  // Every thread but a root's lead takes a slot again: a teammate of its team and tree, a child
  // team's lead of its tree only.
  const isLead = team.lead_agent_id === row.id;
  if (row.state !== 'active' && !(isLead && team.parent_team_id === null) && team.state === 'active') {
    requireThreadSlot(op, team, 'active', row.id, isLead);
  }
  const epoch = row.epoch + 1;
  op.sql.run(
    "UPDATE agents SET state = 'active', epoch = ?, last_seen_at = ?, resume_ticket_hash = ? WHERE id = ?",
    epoch,
    op.now,
    input.nextResumeTicketHash,
    row.id,
  );
  // A child team's lead back at its post: a later loss is reported to the parent's lead again.
  if (isLead) op.sql.run('UPDATE teams SET lead_lost_at = NULL WHERE id = ?', team.id);
  recordCodexThread(op, row.id, input.codexThreadId);
  const agent = toAgent(agentById(op, row.id));
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: row.id,
    action: 'agent.resume',
    subjectId: row.id,
    reason: `${row.name} resumed (epoch ${epoch}); earlier sessions of this agent and the ticket used are no longer bound`,
    data: { agent, epoch },
  });
  op.subject = { teamId: team.id, agentId: row.id, role: row.role };
  return { team: toTeam(team), agent, epoch };
}

/** Read only: NOT_BOUND when the agent retired or a newer session (higher epoch) took over. */
export function verifyBinding(op: Op, binding: SessionBinding): BoundAgent {
  const row = findAgent(op, binding.teamId, binding.agentId);
  if (row === undefined || row.state === 'retired' || row.epoch !== binding.epoch) {
    throw new TeamError(
      'NOT_BOUND',
      row !== undefined && row.epoch > binding.epoch
        ? `agent ${row.name} was resumed by a newer session; this session is no longer bound`
        : `session is not bound to agent ${binding.agentId}`,
      { agent_id: binding.agentId },
    );
  }
  return { team: toTeam(requireTeam(op, row.team_id)), agent: toAgent(row), epoch: row.epoch };
}

/**
 * Records the end of a session. Superseded sessions, unknown agents and agents not active change
 * nothing: a late SIGTERM of an old process must not mark the resumed agent disconnected. It is
 * recorded on finalized teams too, as it is a liveness fact rather than a team change.
 */
export function disconnectAgent(op: Op, binding: SessionBinding, reason: string): void {
  const row = findAgent(op, binding.teamId, binding.agentId);
  if (row === undefined || row.epoch !== binding.epoch || row.state !== 'active') return;
  op.sql.run("UPDATE agents SET state = 'disconnected', last_seen_at = ? WHERE id = ?", op.now, row.id);
  appendAudit(op, {
    teamId: row.team_id,
    actorAgentId: row.id,
    action: 'agent.disconnect',
    subjectId: row.id,
    reason: reason.slice(0, LIMITS.reasonMaxChars) || 'session ended',
    data: { agent: toAgent(agentById(op, row.id)), epoch: row.epoch },
  });
}
