import { TeamError, type Task, type Team } from '@codex-team/contracts';
import type { TeamSnapshot } from '@codex-team/contracts';
import { findTeam } from './access';
import { policyState, toUsage, USAGE_COLUMNS } from './policy-ops';
import {
  AGENT_COLUMNS,
  ARTIFACT_COLUMNS,
  MESSAGE_COLUMNS,
  TASK_COLUMNS,
  TEAM_COLUMNS,
  iso,
  toAgent,
  toArtifact,
  toMessage,
  toTask,
  toTeam,
  type AgentRow,
  type ArtifactRow,
  type MessageRow,
  type TaskRow,
  type TeamRow,
  teamRowAt,
} from './row-mappers';
import { teamDependencies } from './task-rows';
import type { Op } from './transaction';

/** Every team, newest first. */
export function listTeams(op: Op): Team[] {
  return op.sql
    .all<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams ORDER BY created_at DESC, rowid DESC`)
    .map((row) => toTeam(teamRowAt(row, op.now)));
}

/** Every task of the team in creation order, with its dependencies, in two queries. */
function tasksOfTeam(op: Op, teamId: string): Task[] {
  const dependencies = teamDependencies(op, teamId);
  return op.sql
    .all<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE team_id = ? ORDER BY seq`, teamId)
    .map((row) => toTask(row, dependencies.get(row.id) ?? []));
}

/** One consistent read of everything the store holds about a team. NOT_FOUND for an unknown id. */
export function readTeam(op: Op, teamId: string): TeamSnapshot {
  const team = findTeam(op, teamId);
  if (team === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`);
  const state = policyState(op, teamId);
  const agents = op.sql.all<AgentRow & { idle_since: number | null }>(
    `SELECT ${AGENT_COLUMNS}, idle_since FROM agents WHERE team_id = ? ORDER BY seq`,
    teamId,
  );
  const idle_since: Record<string, string> = {};
  for (const row of agents) if (row.idle_since !== null) idle_since[row.id] = iso(row.idle_since);
  return {
    team: toTeam(team),
    consensus_at: state.consensus_at === null ? null : iso(state.consensus_at),
    used_tokens: state.used_tokens,
    agents: agents.map(toAgent),
    idle_since,
    tasks: tasksOfTeam(op, teamId),
    messages: op.sql
      .all<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE team_id = ? ORDER BY seq`, teamId)
      .map(toMessage),
    acks: op.sql
      .all<{ message_id: string; agent_id: string; acked_at: number }>(
        `SELECT a.message_id, a.agent_id, a.acked_at FROM message_acks a JOIN messages m ON m.id = a.message_id
         WHERE m.team_id = ? ORDER BY a.rowid`,
        teamId,
      )
      .map((row) => ({ message_id: row.message_id, agent_id: row.agent_id, acked_at: iso(row.acked_at) })),
    artifacts: op.sql
      .all<ArtifactRow>(`SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE team_id = ? ORDER BY seq`, teamId)
      .map(toArtifact),
    usage: op.sql
      .all<Parameters<typeof toUsage>[0]>(`SELECT ${USAGE_COLUMNS} FROM usage_samples WHERE team_id = ? ORDER BY seq`, teamId)
      .map(toUsage),
    reviews: op.sql
      .all<{ task_id: string; fence: number; reviewer_agent_id: string; verdict: 'approve' | 'reject'; at: number }>(
        'SELECT task_id, fence, reviewer_agent_id, verdict, at FROM task_reviews WHERE team_id = ? ORDER BY seq',
        teamId,
      )
      .map((row) => ({ ...row, at: iso(row.at) })),
  };
}
