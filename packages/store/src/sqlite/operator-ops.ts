import { LIMITS, TeamError, type Artifact, type Message } from '@codex-team/contracts';
import type { OperatorSendInput, OperatorSent, PrunedTeams } from '../team-store';
import { findTeam } from './access';
import { insertAgentlessMessage } from './message-ops';
import {
  AGENT_COLUMNS,
  ARTIFACT_COLUMNS,
  MESSAGE_COLUMNS,
  parseIdList,
  toArtifact,
  toMessage,
  type AgentRow,
  type ArtifactRow,
  type MessageRow,
  type TeamRow,
} from './row-mappers';
import type { Op } from './transaction';
import { closeTeam, requireClosable } from './team-ops';

// What the operator does from the shell (docs/operator.md): every operation here runs as the
// operator (op.byOperator), so its audit events name no agent and carry actor kind `operator`.

/** The team by id, active; NOT_FOUND or TEAM_FINALIZED otherwise. */
function requireActiveTeam(op: Op, teamId: string): TeamRow {
  const team = findTeam(op, teamId);
  if (team === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`, { team: teamId });
  if (team.state !== 'active') {
    throw new TeamError('TEAM_FINALIZED', `team ${team.name} (${team.id}) is already ${team.cancelled_at === null ? 'finalized' : 'cancelled'}`, {
      team: team.id,
    });
  }
  return team;
}

/** A message from the operator, stored and audited; `to` null is a broadcast to every agent of the team. */
function insertOperatorMessage(op: Op, teamId: string, to: string | null, body: string, key: string | null, reason: string): Message {
  return insertAgentlessMessage(op, { teamId, to, body, reason, key, operator: true });
}

/**
 * The operator ends an active team (`codex-team finalize` / `cancel`), by the rules every finalize
 * follows (requireClosable, closeTeam: live children and unfinished tasks refuse it unless forced;
 * descendants close first; a child team rolls up into its parent). A cancel is always forced,
 * records `cancelled_at` and rolls a child team up as cancelled (its delegated tasks fail or go
 * back to the pool, as the parent's profile says). Every agent of the team is told by one
 * broadcast from the operator. Audited as the operator.
 */
export function operatorClose(op: Op, teamId: string, input: { cancel: boolean; force: boolean; reason: string }): ReturnType<typeof closeTeam> {
  op.byOperator = true;
  const team = requireActiveTeam(op, teamId);
  requireClosable(op, team, input.cancel || input.force);
  if (input.cancel) op.sql.run('UPDATE teams SET cancelled_at = ? WHERE id = ?', op.now, team.id);
  const said = input.reason === '' ? '' : `: ${input.reason}`;
  const summary = input.cancel ? `cancelled by the operator${said}` : `finalized by the operator${said}`;
  const closed = closeTeam(
    op,
    team.id,
    null,
    summary,
    (cancelled) =>
      `${input.cancel ? 'cancelled' : 'finalized'} by the operator${cancelled === 0 ? '' : `; ${cancelled} unfinished tasks cancelled`}`,
    input.cancel ? 'operator_cancel' : 'lead',
  );
  insertOperatorMessage(
    op,
    team.id,
    null,
    `The operator ${input.cancel ? 'cancelled' : 'finalized'} team ${team.name}${said}. Stop working on it: its tasks accept no more changes.`,
    null,
    `the operator told every agent that the team was ${input.cancel ? 'cancelled' : 'finalized'}`,
  );
  return closed;
}

function sameOperatorRequest(row: MessageRow, to: string | null, body: string): boolean {
  return row.to_agent_id === to && row.body === body && parseIdList(row.artifact_refs).length === 0;
}

/**
 * A message from the operator to one agent (by id or name), the lead (`lead`) or everyone (`*`)
 * of an active team; agents read it with team_inbox. With an idempotency key, a retry of the same
 * request returns the stored message with `duplicate: true` and writes nothing; the same key with
 * another request is a CONFLICT, as for agents. Audited as the operator.
 */
export function operatorSend(op: Op, teamId: string, input: OperatorSendInput): OperatorSent {
  op.byOperator = true;
  const team = requireActiveTeam(op, teamId);
  const to = resolveRecipient(op, team, input.to);
  const bytes = Buffer.byteLength(input.body, 'utf8');
  if (input.body.trim() === '') throw new TeamError('INVALID_INPUT', 'the message is empty');
  if (bytes > LIMITS.messageBodyMaxBytes) {
    throw new TeamError('PAYLOAD_TOO_LARGE', `the message is ${bytes} bytes, more than ${LIMITS.messageBodyMaxBytes}`, {
      bytes,
      max_bytes: LIMITS.messageBodyMaxBytes,
    });
  }
  const key = input.idempotencyKey ?? null;
  if (key !== null) {
    const earlier = op.sql.get<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE team_id = ? AND sender_kind = 'operator' AND idempotency_key = ?`,
      team.id,
      key,
    );
    if (earlier !== undefined) {
      if (!sameOperatorRequest(earlier, to, input.body)) {
        throw new TeamError('CONFLICT', `idempotency key ${key} was already used for another message`, { message_id: earlier.id });
      }
      return { message: toMessage(earlier), duplicate: true };
    }
  }
  const reason = to === null ? 'the operator sent a broadcast' : `the operator sent a message to ${input.to}`;
  return { message: insertOperatorMessage(op, team.id, to, input.body, key, reason), duplicate: false };
}

/** `lead`, `*` (null: everyone) or an agent of the team by id or name; NOT_FOUND otherwise. */
function resolveRecipient(op: Op, team: TeamRow, to: string): string | null {
  if (to === '*') return null;
  if (to === 'lead') return team.lead_agent_id;
  const agent = op.sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? AND (id = ? OR name = ?)`, team.id, to, to);
  if (agent === undefined) throw new TeamError('NOT_FOUND', `no agent "${to}" in team ${team.name}`, { to });
  return agent.id;
}

/**
 * Every row of a team, in an order that leaves no reference dangling. Each statement names its
 * table: a table added later that refers to a team must be added here (sqlite-team-store.spec's
 * prune test checks every table with a team_id column).
 */
const PRUNE_STATEMENTS: readonly string[] = [
  // Checkpoints first: they refer to audit events and artifacts, and while a team has one its
  // archived events refuse deletion (0011's triggers guard them against edits in place; pruning
  // removes the whole team, its archive included, on the operator's word).
  'DELETE FROM checkpoints WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM message_acks WHERE message_id IN (SELECT id FROM messages WHERE team_id IN (SELECT value FROM json_each(@teams)))',
  'DELETE FROM task_dependencies WHERE task_id IN (SELECT id FROM tasks WHERE team_id IN (SELECT value FROM json_each(@teams)))',
  'DELETE FROM task_reviews WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM plan_reviews WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM usage_samples WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM authz_decisions WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM audit_events WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM messages WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM artifacts WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'UPDATE tasks SET delegated_to_team_id = NULL WHERE delegated_to_team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM tasks WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM task_status_counts WHERE team_id IN (SELECT value FROM json_each(@teams))',
  // Rebalancing's derived rows (0013), after the tasks: deleting them moved dag_versions again.
  'DELETE FROM task_duration_totals WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM dag_versions WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'UPDATE teams SET mode_set_by = NULL, parent_team_id = NULL WHERE id IN (SELECT value FROM json_each(@teams))',
  'UPDATE agents SET principal_agent_id = NULL WHERE team_id IN (SELECT value FROM json_each(@teams))',
  // teams.lead_agent_id is checked at commit: the agents go first, then their teams.
  'DELETE FROM agents WHERE team_id IN (SELECT value FROM json_each(@teams))',
  'DELETE FROM teams WHERE id IN (SELECT value FROM json_each(@teams))',
];

/**
 * Removes whole team trees whose every team is finalized (or cancelled) and whose root was
 * finalized at or before `finalizedBefore`, with all their rows, in this one transaction. An
 * active team, or a tree with one, is never touched. With `dryRun`, only says which it would be.
 */
export function pruneTeams(op: Op, input: { finalizedBefore: number; dryRun: boolean }): PrunedTeams {
  op.byOperator = true;
  const roots = op.sql.all<{ id: string; name: string; finalized_at: number }>(
    `SELECT id, name, finalized_at FROM teams r
     WHERE r.parent_team_id IS NULL AND r.state = 'finalized' AND r.finalized_at <= ?
       AND NOT EXISTS (SELECT 1 FROM teams t WHERE t.root_team_id = r.id AND t.state <> 'finalized')
     ORDER BY r.finalized_at, r.rowid`,
    input.finalizedBefore,
  );
  const teamIds = roots.flatMap((root) =>
    op.sql.all<{ id: string }>('SELECT id FROM teams WHERE root_team_id = ? ORDER BY depth DESC, rowid', root.id).map((row) => row.id),
  );
  if (!input.dryRun && teamIds.length > 0) {
    const teams = JSON.stringify(teamIds);
    for (const statement of PRUNE_STATEMENTS) op.sql.run(statement, { teams });
  }
  const pruned = roots.map((root) => ({ id: root.id, name: root.name, finalized_at: new Date(root.finalized_at).toISOString() }));
  return { team_ids: teamIds, roots: pruned, dry_run: input.dryRun };
}

/**
 * One artifact version with its content, for the operator: by id, or with `version` the version of
 * that id's artifact (same team and name). NOT_FOUND when there is none.
 */
export function operatorArtifact(op: Op, artifactId: string, version: number | undefined): { artifact: Artifact; content: string } {
  type Row = ArtifactRow & { content: string };
  const named = op.sql.get<Row>(`SELECT ${ARTIFACT_COLUMNS}, content FROM artifacts WHERE id = ?`, artifactId);
  if (named === undefined) throw new TeamError('NOT_FOUND', `no artifact ${artifactId}`, { artifact_id: artifactId });
  const row =
    version === undefined || version === named.version
      ? named
      : op.sql.get<Row>(`SELECT ${ARTIFACT_COLUMNS}, content FROM artifacts WHERE team_id = ? AND name = ? AND version = ?`, named.team_id, named.name, version);
  if (row === undefined) throw new TeamError('NOT_FOUND', `artifact ${named.name} has no version ${version}`, { artifact_id: artifactId, version });
  return { artifact: toArtifact(row), content: row.content };
}

/** The Codex thread an agent was last bound from (migration 0006), or null when none was recorded. */
export function agentCodexThread(op: Op, agentId: string): string | null {
  return op.sql.value<string | null>('SELECT codex_thread_id FROM agents WHERE id = ?', agentId) ?? null;
}
