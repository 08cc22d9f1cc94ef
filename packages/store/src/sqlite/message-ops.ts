import { DEFAULTS, LIMITS, TeamError, type Message, type ToolInput } from '@codex-team/contracts';
import { messageBodyRuling } from '@codex-team/policy-engine';
import type { Actor, InboxPage, SentMessage } from '../team-store';
import { findAgent, logDecision, requireCaller, requireLead, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { refusePolicy } from './policy-ops';
import { MESSAGE_COLUMNS, iso, parseIdList, toMessage, type MessageRow } from './row-mappers';
import { requireHolder, requireTask } from './task-rows';
import type { Op } from './transaction';

// A message is addressed to an agent when it names the agent, or is a broadcast from someone else
// (codex-team itself, from_agent_id NULL, included). Both fragments take the named parameters
// @team and @agent.
const ADDRESSED_TO =
  '(m.to_agent_id = @agent OR (m.to_agent_id IS NULL AND (m.from_agent_id IS NULL OR m.from_agent_id <> @agent)))';
const UNREAD = `m.team_id = @team AND ${ADDRESSED_TO}
  AND NOT EXISTS (SELECT 1 FROM message_acks a WHERE a.message_id = m.id AND a.agent_id = @agent)`;

export function countUnread(op: Op, teamId: string, agentId: string): number {
  return op.sql.value<number>(`SELECT COUNT(*) FROM messages m WHERE ${UNREAD}`, { team: teamId, agent: agentId }) ?? 0;
}

function requireArtifactsInTeam(op: Op, teamId: string, artifactIds: readonly string[]): void {
  for (const artifactId of artifactIds) {
    const found = op.sql.value<string>('SELECT id FROM artifacts WHERE id = ? AND team_id = ?', artifactId, teamId);
    if (found === undefined) {
      throw new TeamError('NOT_FOUND', `no artifact ${artifactId} in this team`, { artifact_id: artifactId });
    }
  }
}

/**
 * Between teams of a tree only leads talk, directly (TREE_ACCESS `to-lead`): to the other team's
 * lead, not broadcast, declaring no consensus, about no task. DENIED otherwise.
 */
function requireToLead(caller: Caller, input: ToolInput<'team_send'>): void {
  const lead = caller.team.lead_agent_id;
  if (input.to === lead && input.consensus !== true && input.task_id === undefined && input.fence === undefined) return;
  throw new TeamError(
    'DENIED',
    `in team ${caller.team.name} you may only message its lead (${lead}) directly, without consensus or task`,
    { team: caller.team.id, to: lead, rule: 'hierarchy:to-lead' },
    { kind: 'scope', rule: 'hierarchy:to-lead', inputs: { team: caller.team.id, to: input.to } },
  );
}

function sameRequest(row: MessageRow, toAgentId: string | null, input: ToolInput<'team_send'>): boolean {
  const refs = parseIdList(row.artifact_refs);
  return (
    row.to_agent_id === toAgentId &&
    row.task_id === (input.task_id ?? null) &&
    row.body === input.body &&
    refs.length === input.artifact_refs.length &&
    refs.every((ref, index) => ref === input.artifact_refs[index])
  );
}

/**
 * Sends a direct message or a broadcast (`to: "*"`). With an idempotency key, a retry of the same
 * request returns the stored message with `duplicate: true` and writes nothing; the same key with
 * a different request is a CONFLICT, since silently dropping it would lose a message. With
 * `consensus` (lead only) the message also declares the team's consensus, once: from then on the
 * team is ready to finalize; the one `message.send` event carries `consensus_at`.
 */
export function sendMessage(op: Op, actor: Actor, input: ToolInput<'team_send'>): SentMessage {
  const caller = requireWriter(op, actor, 'team_send');
  if (caller.access === 'to-lead') requireToLead(caller, input);
  const bytes = Buffer.byteLength(input.body, 'utf8');
  // The profile's limit first (with what to do instead, audited); the contract limit below it.
  if (bytes <= LIMITS.messageBodyMaxBytes) {
    const body = messageBodyRuling(op.profileOf(caller.team.profile), bytes);
    if (body.decision === 'deny') refusePolicy(op, caller, body, 'team_send', null);
    logDecision(op, caller.team, body);
  }
  if (input.consensus === true) requireLead(op, caller, 'team_send', 'declare consensus', 'consensus');
  const toAgentId = input.to === '*' ? null : input.to;
  if (input.idempotency_key !== undefined) {
    const earlier = op.sql.get<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE team_id = ? AND from_agent_id = ? AND idempotency_key = ?`,
      caller.team.id,
      caller.agent.id,
      input.idempotency_key,
    );
    if (earlier !== undefined) {
      if (!sameRequest(earlier, toAgentId, input)) {
        throw new TeamError('CONFLICT', `idempotency key ${input.idempotency_key} was already used for another message`, {
          message_id: earlier.id,
        });
      }
      return { message: toMessage(earlier), duplicate: true };
    }
  }
  if (toAgentId !== null) {
    if (findAgent(op, caller.team.id, toAgentId) === undefined) {
      throw new TeamError('NOT_FOUND', `no agent ${toAgentId} in this team`, { to: toAgentId });
    }
    if (toAgentId === caller.agent.id) throw new TeamError('INVALID_INPUT', 'a message cannot be sent to yourself');
  }
  if (bytes > LIMITS.messageBodyMaxBytes) {
    throw new TeamError(
      'PAYLOAD_TOO_LARGE',
      `message body is ${bytes} bytes, more than ${LIMITS.messageBodyMaxBytes}; publish it as an artifact and reference it`,
      { bytes, max_bytes: LIMITS.messageBodyMaxBytes },
    );
  }
  requireArtifactsInTeam(op, caller.team.id, input.artifact_refs);
  if (input.task_id !== undefined) {
    // A message about a task speaks for its claim, so it needs the claim like any write about it.
    requireHolder(op, requireTask(op, caller.team.id, input.task_id), caller.agent, input.fence);
  } else if (input.fence !== undefined) {
    throw new TeamError('INVALID_INPUT', 'fence goes with task_id: name the task you hold');
  }
  const id = op.ids.next('ms');
  op.sql.run(
    `INSERT INTO messages (id, team_id, from_agent_id, to_agent_id, body, artifact_refs, task_id, idempotency_key, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    caller.team.id,
    caller.agent.id,
    toAgentId,
    input.body,
    JSON.stringify(input.artifact_refs),
    input.task_id ?? null,
    input.idempotency_key ?? null,
    op.now,
  );
  const row = op.sql.get<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id);
  if (row === undefined) throw new TeamError('INTERNAL', `message ${id} was not stored`);
  const message = toMessage(row);
  const declares =
    input.consensus === true &&
    op.sql.run('UPDATE teams SET consensus_at = ? WHERE id = ? AND consensus_at IS NULL', op.now, caller.team.id).changes === 1;
  const sent = toAgentId === null ? 'broadcast sent' : `message sent to ${toAgentId}`;
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'message.send',
    subjectId: id,
    reason: declares ? `${sent}; the lead declared consensus: no new claims, ready to finalize` : sent,
    data: {
      message,
      idempotency_key: input.idempotency_key ?? null,
      ...(declares ? { consensus_at: iso(op.now) } : {}),
    },
  });
  return { message, duplicate: false };
}

/**
 * Acks first (one `message.ack` event for the ids newly acked; acking again is a no-op), then
 * returns unread messages oldest first. Acks are allowed on a finalized team: the inbox stays
 * readable and acking changes nothing of the team's work.
 */
export function readInbox(op: Op, actor: Actor, input: ToolInput<'team_inbox'>): InboxPage {
  const caller = requireCaller(op, actor, 'team_inbox');
  const teamId = caller.team.id;
  const agentId = caller.agent.id;
  const newlyAcked: string[] = [];
  for (const messageId of new Set(input.ack)) {
    const addressed = op.sql.value<string>(
      `SELECT m.id FROM messages m WHERE m.id = @message AND m.team_id = @team AND ${ADDRESSED_TO}`,
      { team: teamId, agent: agentId, message: messageId },
    );
    if (addressed === undefined) {
      throw new TeamError('NOT_FOUND', `no message ${messageId} addressed to you`, { message_id: messageId });
    }
    const inserted = op.sql.run(
      'INSERT INTO message_acks (message_id, agent_id, acked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      messageId,
      agentId,
      op.now,
    ).changes;
    if (inserted === 1) newlyAcked.push(messageId);
  }
  if (newlyAcked.length > 0) {
    appendAudit(op, {
      teamId,
      actorAgentId: agentId,
      action: 'message.ack',
      subjectId: null,
      reason: `${newlyAcked.length} messages acked`,
      data: { agent_id: agentId, message_ids: newlyAcked },
    });
  }
  const limit = Math.min(input.limit ?? DEFAULTS.inboxPageSize, LIMITS.inboxPageMax);
  const rows = op.sql.all<MessageRow>(
    `SELECT m.id, m.team_id, m.from_agent_id, m.to_agent_id, m.body, m.artifact_refs, m.task_id, m.created_at, m.sender_kind
     FROM messages m WHERE ${UNREAD} ORDER BY m.seq LIMIT @limit`,
    { team: teamId, agent: agentId, limit },
  );
  // A page short of the limit holds every unread message; only a full page needs the count (a
  // window count in the same statement costs a temporary b-tree on every call, empty inbox or not).
  const remaining = rows.length < limit ? 0 : countUnread(op, teamId, agentId) - rows.length;
  return { messages: rows.map(toMessage), acked: newlyAcked.length, remaining };
}

/**
 * A message from codex-team itself (no sending agent) to one agent, e.g. recovery's notice to the
 * lead; its audit event has no actor. The body is cut to the message size limit.
 */
export function insertNotice(op: Op, teamId: string, toAgentId: string, body: string, reason: string): Message {
  let text = body;
  while (Buffer.byteLength(text, 'utf8') > LIMITS.messageBodyMaxBytes) text = `${text.slice(0, Math.floor(text.length * 0.9))}…`;
  return insertAgentlessMessage(op, { teamId, to: toAgentId, body: text, reason, key: null, operator: false });
}

/**
 * Stores and audits a message no agent sends: a notice of codex-team itself, or one from the
 * operator (sender_kind `operator`); `to` null is a broadcast to every agent of the team.
 */
export function insertAgentlessMessage(
  op: Op,
  input: { teamId: string; to: string | null; body: string; reason: string; key: string | null; operator: boolean },
): Message {
  const id = op.ids.next('ms');
  op.sql.run(
    `INSERT INTO messages (id, team_id, from_agent_id, to_agent_id, body, artifact_refs, task_id, idempotency_key, created_at, sender_kind)
     VALUES (?, ?, NULL, ?, ?, '[]', NULL, ?, ?, ?)`,
    id,
    input.teamId,
    input.to,
    input.body,
    input.key,
    op.now,
    input.operator ? 'operator' : null,
  );
  const row = op.sql.get<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id);
  if (row === undefined) throw new TeamError('INTERNAL', `message ${id} was not stored`);
  const message = toMessage(row);
  appendAudit(op, {
    teamId: input.teamId,
    actorAgentId: null,
    action: 'message.send',
    subjectId: id,
    reason: input.reason,
    data: { message, idempotency_key: input.key },
  });
  return message;
}
