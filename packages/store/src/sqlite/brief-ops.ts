import { BRIEF_MESSAGES_MAX } from '@codex-team/contracts';
import type { Actor, BriefFacts } from '../team-store';
import { requireCaller } from './access';
import { latestCheckpoint } from './checkpoint-ops';
import { countUnread } from './message-ops';
import { policyState } from './policy-ops';
import { previousBindSeq, RECOVERY_ACTIONS } from './recovery-ops';
import { AGENT_COLUMNS, ARTIFACT_COLUMNS, MESSAGE_COLUMNS, iso, toAgent, toArtifact, toMessage, toTeam, type AgentRow, type ArtifactRow, type MessageRow } from './row-mappers';
import { tasksByStatus } from './task-rows';
import type { Op } from './transaction';

/** Most claims in flight, recovery actions and own artifacts a brief lists; the rest is counted elsewhere. */
export const BRIEF_LIST_MAX = 10;

interface ClaimRow {
  id: string;
  title: string;
  owner_agent_id: string;
  fence: number;
  lease_expires_at: number | null;
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/**
 * Everything one agent's brief is made of, in one read: its claims, its unread messages (counted,
 * the oldest few read, none acked), the team's counts and agents, for the lead the claims in
 * flight, recovery since the agent's previous session, the artifacts it published, the latest
 * checkpoint and the last audit seq. Reads only.
 */
export function readBrief(op: Op, actor: Actor): BriefFacts {
  const caller = requireCaller(op, actor);
  const teamId = caller.team.id;
  const agentId = caller.agent.id;
  const claims = (owner: string | null, limit: number): ClaimRow[] =>
    op.sql.all<ClaimRow>(
      `SELECT id, title, owner_agent_id, fence, lease_expires_at FROM tasks
       WHERE team_id = @team AND status = 'in_progress' AND owner_agent_id IS NOT NULL AND (@owner IS NULL OR owner_agent_id = @owner)
       ORDER BY lease_expires_at, seq LIMIT @limit`,
      { team: teamId, owner, limit },
    );
  const unreadRows = op.sql.all<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m
     WHERE m.team_id = @team AND (m.to_agent_id = @agent OR (m.to_agent_id IS NULL AND (m.from_agent_id IS NULL OR m.from_agent_id <> @agent)))
       AND NOT EXISTS (SELECT 1 FROM message_acks a WHERE a.message_id = m.id AND a.agent_id = @agent)
     ORDER BY m.seq LIMIT @limit`,
    { team: teamId, agent: agentId, limit: BRIEF_MESSAGES_MAX },
  );
  const since = previousBindSeq(op, teamId, agentId);
  const recovery = op.sql
    .all<{ at: number; action: string; subject_id: string | null; reason: string }>(
      `SELECT at, action, subject_id, reason FROM audit_events
       WHERE team_id = ? AND seq > ? AND action IN (SELECT value FROM json_each(?))
       ORDER BY seq DESC LIMIT ?`,
      teamId,
      since,
      JSON.stringify(RECOVERY_ACTIONS),
      BRIEF_LIST_MAX,
    )
    .reverse()
    .map((event) => ({ at: iso(event.at), action: event.action, subject_id: event.subject_id, reason: event.reason }));
  const myArtifacts = op.sql
    .all<ArtifactRow>(
      `SELECT ${ARTIFACT_COLUMNS} FROM artifacts a
       WHERE team_id = @team AND published_by = @agent
         AND version = (SELECT MAX(version) FROM artifacts b WHERE b.team_id = a.team_id AND b.name = a.name)
       ORDER BY seq DESC LIMIT @limit`,
      { team: teamId, agent: agentId, limit: BRIEF_LIST_MAX },
    )
    .map(toArtifact);
  const state = policyState(op, teamId);
  return {
    team: toTeam(caller.team),
    agent: toAgent(caller.agent),
    claims: claims(agentId, BRIEF_LIST_MAX).map((row) => ({
      task_id: row.id,
      title: row.title,
      fence: row.fence,
      lease_expires_at: isoOrNull(row.lease_expires_at),
    })),
    unread: { count: countUnread(op, teamId, agentId), oldest: unreadRows.map(toMessage) },
    tasks_by_status: tasksByStatus(op, teamId),
    agents: op.sql
      .all<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? AND state <> 'retired' ORDER BY seq`, teamId)
      .map(toAgent),
    in_flight: caller.isLead
      ? claims(null, BRIEF_LIST_MAX).map((row) => ({
          task_id: row.id,
          owner_agent_id: row.owner_agent_id,
          fence: row.fence,
          lease_expires_at: isoOrNull(row.lease_expires_at),
        }))
      : [],
    recovery,
    my_artifacts: myArtifacts,
    checkpoint: latestCheckpoint(op, teamId),
    consensus_at: state.consensus_at === null ? null : iso(state.consensus_at),
    as_of_seq: op.sql.value<number>('SELECT MAX(seq) FROM audit_events WHERE team_id = ?', teamId) ?? 0,
  };
}
