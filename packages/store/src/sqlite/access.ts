import { TeamError } from '@codex-team/contracts';
import type { Actor } from '../team-store';
import type { ThreadCapVerdict } from '../team-policy';
import { attachAuthorization } from './authz-ops';
import { AGENT_COLUMNS, TEAM_COLUMNS, teamRowAt, toTeam, type AgentRow, type TeamRow } from './row-mappers';
import type { Op } from './transaction';

/** The caller's team and agent rows, checked at the start of an operation. */
export interface Caller {
  team: TeamRow;
  agent: AgentRow;
  isLead: boolean;
}

/** The team as it applies at the operation's time (a lapsed temporary mode already returned). */
export function findTeam(op: Op, teamId: string): TeamRow | undefined {
  const row = op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, teamId);
  return row === undefined ? undefined : teamRowAt(row, op.now);
}

export function requireTeam(op: Op, teamId: string): TeamRow {
  const team = findTeam(op, teamId);
  if (team === undefined) throw new TeamError('INTERNAL', `team ${teamId} vanished inside a transaction`);
  return team;
}

/** An agent of the given team; an agent of another team is reported as missing. */
export function findAgent(op: Op, teamId: string, agentId: string): AgentRow | undefined {
  return op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ? AND team_id = ?`, agentId, teamId);
}

/** An agent row read back inside a transaction that already knows it exists. */
export function agentById(op: Op, agentId: string): AgentRow {
  const row = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`, agentId);
  if (row === undefined) throw new TeamError('INTERNAL', `agent ${agentId} vanished inside a transaction`);
  return row;
}

/**
 * NOT_BOUND unless the actor is a non-retired agent of its team. Reads use this alone: a finalized
 * team stays readable. In a write transaction the actor's authorization (if the server sent one)
 * becomes this transaction's decision record: every operation checks its caller here first.
 */
export function requireCaller(op: Op, actor: Actor): Caller {
  const team = findTeam(op, actor.teamId);
  const agent = team === undefined ? undefined : findAgent(op, actor.teamId, actor.agentId);
  if (team === undefined || agent === undefined) {
    throw new TeamError('NOT_BOUND', `agent ${actor.agentId} is not an agent of team ${actor.teamId}`);
  }
  if (agent.state === 'retired') {
    throw new TeamError('NOT_BOUND', `agent ${agent.name} is retired`, { agent_id: agent.id });
  }
  attachAuthorization(op, actor.authorization, { teamId: team.id, agentId: agent.id, role: agent.role });
  return { team, agent, isLead: team.lead_agent_id === agent.id };
}

/** requireCaller, then TEAM_FINALIZED when the team accepts no further changes. */
export function requireWriter(op: Op, actor: Actor): Caller {
  const caller = requireCaller(op, actor);
  if (caller.team.state === 'finalized') {
    throw new TeamError('TEAM_FINALIZED', `team ${caller.team.name} is finalized and accepts no changes`, {
      team_id: caller.team.id,
    });
  }
  return caller;
}

export function requireLead(caller: Caller, what: string): void {
  if (!caller.isLead) {
    throw new TeamError('DENIED', `only the lead may ${what}`, { agent_id: caller.agent.id });
  }
}

/**
 * Teammates holding a thread slot: invited or active agents other than the lead (the root lead
 * is excluded from `max_threads`, like Codex's own cap). `exceptAgentId` leaves out the agent
 * whose own transition is being checked.
 */
export function countThreads(op: Op, team: TeamRow, states: 'invited_or_active' | 'active', exceptAgentId = ''): number {
  const text =
    states === 'active'
      ? "SELECT COUNT(*) FROM agents WHERE team_id = ? AND id <> ? AND id <> ? AND state = 'active'"
      : "SELECT COUNT(*) FROM agents WHERE team_id = ? AND id <> ? AND id <> ? AND state IN ('invited', 'active')";
  return op.sql.value<number>(text, team.id, team.lead_agent_id, exceptAgentId) ?? 0;
}

/** The team's thread limit: its max_threads, lowered by its policy's cap (profile, Codex), and why. */
export function threadLimit(op: Op, team: TeamRow): ThreadCapVerdict {
  const verdict = op.policy.threadCap(toTeam(team));
  return verdict.cap <= team.max_threads ? verdict : {
    cap: team.max_threads,
    reason: `team max_threads allows ${team.max_threads} teammate${team.max_threads === 1 ? '' : 's'} at once`,
  };
}

export function requireThreadSlot(op: Op, team: TeamRow, states: 'invited_or_active' | 'active', exceptAgentId = ''): void {
  const used = countThreads(op, team, states, exceptAgentId);
  const limit = threadLimit(op, team);
  if (used >= limit.cap) {
    throw new TeamError(
      'LIMIT_EXCEEDED',
      `team ${team.name} already has ${used} of ${limit.cap} teammate threads (${limit.reason}); ` +
        'wait for one to finish or retire before adding another',
      { max_threads: team.max_threads, thread_cap: limit.cap, used },
    );
  }
}
