import { TeamError, type ToolName } from '@codex-team/contracts';
import { threadSlotRuling, type Access, type Relation, type TreeThreads } from '@codex-team/hierarchy';
import { leadOnlyRuling, refusalError, threadCapOf, type PolicyDecision } from '@codex-team/policy-engine';
import type { Actor } from '../team-store';
import { appendAudit } from './audit';
import { AGENT_COLUMNS, TEAM_COLUMNS, teamRowAt, toAgent, type AgentRow, type TeamRow } from './row-mappers';
import type { Op } from './transaction';
import { countTreeThreads, resolveScope, rootOf } from './tree-rows';

/**
 * Where an operation acts and as whom, checked at its start: the caller's own team, or the team its
 * `team` argument names as the tree allows (docs/hierarchy.md).
 */
export interface Caller {
  /** The team the operation acts in. */
  team: TeamRow;
  /** The agent it acts as: the caller, or the child team's lead the caller plays. */
  agent: AgentRow;
  /** Whether it has the lead's rights in `team`: its lead, or an ancestor's lead steering it. */
  isLead: boolean;
  /** How the caller's own team stands to `team`; `self` in its own team or one whose lead it plays. */
  relation: Relation;
  /** What the tree lets the call do in `team`; null when it acts as a member there (self). */
  access: Access | null;
  /** The caller's own team and agent: its session's binding. */
  home: { team: TeamRow; agent: AgentRow };
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
 * team stays readable. An actor whose call names another team (`actor.inTeam`) acts there as the
 * tree allows `tool` (resolveScope: NOT_FOUND or DENIED otherwise); an operation that gives no tool
 * acts in the caller's own team only.
 */
export function requireCaller(op: Op, actor: Actor, tool?: ToolName): Caller {
  const team = findTeam(op, actor.teamId);
  const agent = team === undefined ? undefined : findAgent(op, actor.teamId, actor.agentId);
  if (team === undefined || agent === undefined) {
    throw new TeamError('NOT_BOUND', `agent ${actor.agentId} is not an agent of team ${actor.teamId}`);
  }
  if (agent.state === 'retired') {
    throw new TeamError('NOT_BOUND', `agent ${agent.name} is retired`, { agent_id: agent.id });
  }
  if (actor.renewHeartbeat === true && op.writable && agent.state === 'active' && !renewing.has(op)) {
    renewing.add(op);
    op.onSuccess(() => recordSeen(op, agent, 'heartbeat'));
  }
  const isLead = team.lead_agent_id === agent.id;
  const home = { team, agent };
  if (actor.inTeam === undefined || actor.inTeam === team.id) return { team, agent, isLead, relation: 'self', access: null, home };
  if (tool === undefined) throw new TeamError('INTERNAL', 'this operation acts in the caller\'s own team only');
  return { ...resolveScope(op, { team, agent, isLead }, actor.inTeam, tool), home };
}

// Operations that already scheduled their caller's heartbeat (a caller is checked more than once).
const renewing = new WeakSet<Op>();

/** The agent is seen now: last_seen_at and one `agent.heartbeat` event (state active, as a heartbeat leaves it). */
export function recordSeen(op: Op, row: AgentRow, reason: string): AgentRow {
  op.sql.run("UPDATE agents SET state = 'active', last_seen_at = ? WHERE id = ?", op.now, row.id);
  const seen = agentById(op, row.id);
  appendAudit(op, {
    teamId: row.team_id,
    actorAgentId: row.id,
    action: 'agent.heartbeat',
    subjectId: row.id,
    reason,
    data: { agent: toAgent(seen), epoch: row.epoch },
  });
  return seen;
}

/** requireCaller, then TEAM_FINALIZED when the team accepts no further changes. */
export function requireWriter(op: Op, actor: Actor, tool?: ToolName): Caller {
  const caller = requireCaller(op, actor, tool);
  if (caller.team.state === 'finalized') {
    throw new TeamError('TEAM_FINALIZED', `team ${caller.team.name} is finalized and accepts no changes`, {
      team_id: caller.team.id,
    });
  }
  return caller;
}

/** Logs a decision the operation applies, with the team it was taken for. */
export function logDecision(op: Op, team: TeamRow, decision: PolicyDecision, outcome: string = decision.decision): void {
  op.decided({ teamId: team.id, profile: team.profile, rule: decision.rule, inputs: decision.inputs ?? {}, outcome, reason: decision.reason });
}

/**
 * DENIED unless the caller is the lead, when the catalog reserves `tool` (or the `part` of it the
 * call uses) for the lead: the one lead-only rule (policy-engine's leadOnlyRuling).
 */
export function requireLead(op: Op, caller: Caller, tool: ToolName, what: string, part?: string): void {
  const ruling = leadOnlyRuling(
    { tool, callerIsLead: caller.isLead, agentId: caller.agent.id, ...(part === undefined ? {} : { part }) },
    what,
  );
  if (ruling.decision === 'allow') return;
  logDecision(op, caller.team, ruling);
  throw refusalError(ruling, 'lead');
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

/**
 * The team's thread cap: its max_threads, lowered by its profile's hard cap and by Codex's cap when
 * the store was opened with it (policy-engine's threadCapOf), with the reason naming the one that binds.
 */
export function threadLimit(op: Op, team: TeamRow): { cap: number; reason: string } {
  return threadCapOf(op.profileOf(team.profile), team.max_threads, op.codexThreadCap);
}

/** The team's thread slots and its tree's, counted as a spawn (or, `active`, a join) counts them. */
export function treeThreadsOf(op: Op, team: TeamRow, states: 'invited_or_active' | 'active' = 'invited_or_active', exceptAgentId = ''): TreeThreads {
  const root = rootOf(op, team);
  const tree = threadLimit(op, root);
  return {
    teamUsed: countThreads(op, team, states, exceptAgentId),
    treeUsed: countTreeThreads(op, root, states, exceptAgentId),
    treeLimit: tree.cap,
    treeLimitReason: tree.reason,
    isRoot: root.id === team.id,
  };
}

/**
 * LIMIT_EXCEEDED unless one more thread fits in the team and in its whole tree (hierarchy's
 * threadSlotRuling). `forChildLead`: the thread is a child team's own lead, which holds a slot of
 * the tree only (a team's lead is never counted against its own max_threads).
 */
export function requireThreadSlot(
  op: Op,
  team: TeamRow,
  states: 'invited_or_active' | 'active',
  exceptAgentId = '',
  forChildLead = false,
): void {
  const root = rootOf(op, team);
  const own = threadLimit(op, team);
  const threads = treeThreadsOf(op, team, states, exceptAgentId);
  const ruling = threadSlotRuling({
    teamName: team.name,
    teamUsed: forChildLead ? -1 : threads.teamUsed,
    teamLimit: own.cap,
    teamLimitReason: own.reason,
    maxThreads: team.max_threads,
    treeUsed: threads.treeUsed,
    treeLimit: threads.treeLimit,
    treeLimitReason: threads.treeLimitReason,
    rootName: root.name,
  });
  if (ruling.decision === 'deny') {
    logDecision(op, team, ruling);
    throw refusalError(ruling);
  }
}
