import { LIMITS, type ToolName } from '@codex-team/contracts';
import {
  notInTreeRefusal,
  relationOf,
  scopeRuling,
  teamBudget,
  type Access,
  type ChildOutcome,
  type Relation,
  type TeamBudget,
  type TreeNode,
} from '@codex-team/hierarchy';
import { refusalError, type PolicyRefusal } from '@codex-team/policy-engine';
import { AGENT_COLUMNS, TEAM_COLUMNS, teamRowAt, type AgentRow, type TeamRow } from './row-mappers';
import { tasksByStatus } from './task-rows';
import type { Op } from './transaction';

// The team tree as rows: lineages, children, the counts and figures the tree's rules (hierarchy)
// are decided on, and where a call that names another team acts. Everything here runs inside the
// calling operation's transaction.

function teamRow(op: Op, teamId: string): TeamRow | undefined {
  const row = op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, teamId);
  return row === undefined ? undefined : teamRowAt(row, op.now);
}

function agentRow(op: Op, agentId: string): AgentRow | undefined {
  return op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`, agentId);
}

/** The team's lineage: its id, its parent's, up to its root's (a tree is at most a few levels deep). */
export function lineageOf(op: Op, team: TeamRow): string[] {
  const ids = [team.id];
  let parent = team.parent_team_id;
  while (parent !== null && ids.length <= LIMITS.maxTreeDepthHardCap + 1) {
    ids.push(parent);
    parent = op.sql.value<string | null>('SELECT parent_team_id FROM teams WHERE id = ?', parent) ?? null;
  }
  return ids;
}

/** The team's children that are still running, oldest first. */
export function liveChildren(op: Op, teamId: string): TeamRow[] {
  return op.sql
    .all<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE parent_team_id = ? AND state = 'active' ORDER BY created_at, rowid`, teamId)
    .map((row) => teamRowAt(row, op.now));
}

/** The ids of the team and every team below it. */
export function subtreeIds(op: Op, teamId: string): string[] {
  return op.sql
    .all<{ id: string }>(
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT t.id FROM teams t JOIN sub ON t.parent_team_id = sub.id)
       SELECT id FROM sub`,
      teamId,
    )
    .map((row) => row.id);
}

/**
 * Threads of a whole tree: invited (or only active) agents of every team of it, but the root's lead
 * (excluded from every cap, like Codex's root thread) and the leads another agent plays (that
 * agent's thread is counted once, as itself). `exceptAgentId` leaves out the agent whose own
 * transition is being checked.
 */
export function countTreeThreads(op: Op, root: TeamRow, states: 'invited_or_active' | 'active', exceptAgentId = ''): number {
  const text =
    states === 'active'
      ? `SELECT COUNT(*) FROM agents a JOIN teams t ON t.id = a.team_id
         WHERE t.root_team_id = ? AND a.id <> ? AND a.id <> ? AND a.principal_agent_id IS NULL AND a.state = 'active'`
      : `SELECT COUNT(*) FROM agents a JOIN teams t ON t.id = a.team_id
         WHERE t.root_team_id = ? AND a.id <> ? AND a.id <> ? AND a.principal_agent_id IS NULL AND a.state IN ('invited', 'active')`;
  return op.sql.value<number>(text, root.id, root.lead_agent_id, exceptAgentId) ?? 0;
}

/** The root team of a team's tree. */
export function rootOf(op: Op, team: TeamRow): TeamRow {
  if (team.root_team_id === team.id) return team;
  return teamRow(op, team.root_team_id) ?? team;
}

/** The token budget a team is held to, with its children's carves set aside (hierarchy's teamBudget). */
export function budgetOf(op: Op, team: TeamRow): TeamBudget {
  const used = op.sql.value<number>('SELECT used_tokens FROM teams WHERE id = ?', team.id) ?? 0;
  const reserved =
    op.sql.value<number>("SELECT COALESCE(SUM(budget_tokens), 0) FROM teams WHERE parent_team_id = ? AND state = 'active'", team.id) ?? 0;
  return teamBudget(op.profileOf(team.profile), {
    budgetTokens: team.budget_tokens,
    usedTokens: used,
    rolledUpTokens: team.rolled_up_tokens,
    reservedTokens: reserved,
  });
}

/** Where a call acts: the team, the agent it acts as, its lead's rights there, and what the tree lets it do. */
export interface Scope {
  team: TeamRow;
  agent: AgentRow;
  isLead: boolean;
  relation: Relation;
  access: Access | null;
}

function refuseScope(op: Op, home: TeamRow, refusal: PolicyRefusal): never {
  op.decided({ teamId: home.id, profile: home.profile, rule: refusal.rule, inputs: refusal.inputs, outcome: 'deny', reason: refusal.reason });
  throw refusalError(refusal, 'scope');
}

/**
 * Where a call of `tool` by `home` that names team `targetId` acts (TREE_ACCESS, applied in the
 * operation's transaction): as the target's lead when the caller plays it (self), else as itself
 * with what its relation allows; a team it may not see is NOT_FOUND like one that does not exist,
 * and what its relation does not allow is DENIED, both recorded as a `scope` refusal.
 */
export function resolveScope(op: Op, home: { team: TeamRow; agent: AgentRow; isLead: boolean }, targetId: string, tool: ToolName): Scope {
  const target = teamRow(op, targetId);
  if (target === undefined) refuseScope(op, home.team, notInTreeRefusal(targetId, { tool, team: targetId }));
  const lead = agentRow(op, target.lead_agent_id);
  if (lead !== undefined && lead.principal_agent_id === home.agent.id) {
    op.decided({ teamId: home.team.id, profile: home.team.profile, rule: 'hierarchy:self.played-lead', inputs: { tool, team: target.id }, outcome: 'allow', reason: 'the caller plays the lead of this team' });
    return { team: target, agent: lead, isLead: true, relation: 'self', access: null };
  }
  const relation = relationOf(lineageOf(op, home.team), lineageOf(op, target));
  if (relation === 'self') return { team: target, agent: home.agent, isLead: home.isLead, relation, access: null };
  const ruling = scopeRuling({ tool, relation, standing: home.isLead ? 'lead' : 'member', targetId });
  if (ruling.decision === 'deny') refuseScope(op, home.team, ruling);
  op.decided({ teamId: home.team.id, profile: home.team.profile, rule: ruling.rule, inputs: ruling.inputs, outcome: 'allow', reason: ruling.reason });
  return { team: target, agent: home.agent, isLead: ruling.access === 'steer', relation, access: ruling.access };
}

interface NodeRow {
  id: string;
  name: string;
  state: 'active' | 'finalized';
  parent_team_id: string | null;
  depth: number;
  used_tokens: number;
  budget_tokens: number | null;
  rolled_up_tokens: number;
  outcome: ChildOutcome | null;
  lead_name: string;
  lead_state: TreeNode['lead']['state'];
  lead_principal: string | null;
  principal_name: string | null;
}

/** The teams of `teamIds` as the status views show them, in creation order. */
export function treeNodes(op: Op, teamIds: readonly string[]): TreeNode[] {
  const rows = op.sql.all<NodeRow>(
    `SELECT t.id, t.name, t.state, t.parent_team_id, t.depth, t.used_tokens, t.budget_tokens, t.rolled_up_tokens, t.outcome,
            l.name AS lead_name, l.state AS lead_state, l.principal_agent_id AS lead_principal, p.name AS principal_name
     FROM teams t JOIN agents l ON l.id = t.lead_agent_id LEFT JOIN agents p ON p.id = l.principal_agent_id
     WHERE t.id IN (SELECT value FROM json_each(?)) ORDER BY t.created_at, t.rowid`,
    JSON.stringify(teamIds),
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    state: row.state,
    parentTeamId: row.parent_team_id,
    depth: row.depth,
    lead: { name: row.lead_name, state: row.lead_state, playedBy: row.lead_principal === null ? null : (row.principal_name ?? row.lead_principal) },
    tasksByStatus: tasksByStatus(op, row.id),
    teammates:
      op.sql.value<number>(
        "SELECT COUNT(*) FROM agents a JOIN teams t ON t.id = a.team_id WHERE a.team_id = ? AND a.id <> t.lead_agent_id AND a.state IN ('invited', 'active')",
        row.id,
      ) ?? 0,
    usedTokens: row.used_tokens,
    budgetTokens: row.budget_tokens,
    rolledUpTokens: row.rolled_up_tokens,
    outcome: row.outcome,
  }));
}
