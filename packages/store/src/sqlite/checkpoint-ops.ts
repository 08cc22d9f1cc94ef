import { gunzipSync, gzipSync } from 'node:zlib';
import { CHECKPOINT_ARTIFACT, CHECKPOINT_FORMAT, TeamError, type AuditEvent, type CheckpointRef } from '@codex-team/contracts';
import { ReplayState, type ReplayStateJson } from '../audit-replay';
import { checkpointView } from '../checkpoint-view';
import { archiveChecksum, sha256Hex, stateDigest } from '../state-digest';
import type { CheckpointOptions, CheckpointResult, StoredCheckpoint } from '../team-store';
import { findTeam, requireLead, requireWriter } from './access';
import { insertArtifactVersion } from './artifact-ops';
import { appendAudit } from './audit';
import { toAuditEvent, type AuditRow } from './row-mappers';
import type { Op } from './transaction';

interface CheckpointRow {
  team_id: string;
  number: number;
  format: number;
  upto_seq: number;
  events: number;
  archive_from_seq: number;
  archive_to_seq: number;
  archive_events: number;
  archive_sha256: string;
  state_sha256: string;
  state_digest: string;
  artifact_id: string;
  created_at: number;
}

const CHECKPOINT_COLUMNS =
  'team_id, number, format, upto_seq, events, archive_from_seq, archive_to_seq, archive_events, archive_sha256, ' +
  'state_sha256, state_digest, artifact_id, created_at';

function toRef(row: CheckpointRow): CheckpointRef {
  return {
    number: row.number,
    format: row.format,
    upto_seq: row.upto_seq,
    events: row.events,
    state_digest: row.state_digest,
    archive: { from_seq: row.archive_from_seq, to_seq: row.archive_to_seq, events: row.archive_events, sha256: row.archive_sha256 },
    artifact_id: row.artifact_id,
  };
}

function latestRow(op: Op, teamId: string): CheckpointRow | undefined {
  return op.sql.get<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE team_id = ? ORDER BY number DESC LIMIT 1`, teamId);
}

/** The team's latest checkpoint, or null. */
export function latestCheckpoint(op: Op, teamId: string): CheckpointRef | null {
  const row = latestRow(op, teamId);
  return row === undefined ? null : toRef(row);
}

/** The team's checkpoints, oldest first, without their states. */
export function listCheckpoints(op: Op, teamId: string): CheckpointRef[] {
  return op.sql.all<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE team_id = ? ORDER BY number`, teamId).map(toRef);
}

/** One checkpoint (the latest when `number` is absent) with its state JSON, uncompressed, unchecked. */
export function readCheckpoint(op: Op, teamId: string, number?: number): StoredCheckpoint | null {
  const row = op.sql.get<CheckpointRow & { state: Buffer }>(
    `SELECT ${CHECKPOINT_COLUMNS}, state FROM checkpoints WHERE team_id = @team AND (@number IS NULL OR number = @number)
     ORDER BY number DESC LIMIT 1`,
    { team: teamId, number: number ?? null },
  );
  if (row === undefined) return null;
  return { checkpoint: toRef(row), team_id: row.team_id, state: gunzipSync(row.state), state_sha256: row.state_sha256 };
}

/**
 * The replay state a stored checkpoint holds, once its checksum is checked. TeamError `INTERNAL`
 * when the state does not match its checksum or is of a format this version does not read.
 */
export function replayStateOf(stored: StoredCheckpoint): ReplayState {
  if (sha256Hex(stored.state) !== stored.state_sha256) {
    throw new TeamError('INTERNAL', `checkpoint ${stored.checkpoint.number} of team ${stored.team_id} does not match its checksum`, {
      number: stored.checkpoint.number,
    });
  }
  return ReplayState.fromJson(JSON.parse(stored.state.toString('utf8')) as ReplayStateJson);
}

function eventsAfter(op: Op, teamId: string, afterSeq: number): AuditEvent[] {
  return op.sql
    .all<AuditRow>(
      `SELECT seq, team_id, at, actor_agent_id, action, subject_id, decision, reason, data
       FROM audit_events WHERE team_id = ? AND seq > ? ORDER BY seq`,
      teamId,
      afterSeq,
    )
    .map(toAuditEvent);
}

/**
 * Writes a checkpoint of the team, inside the caller's write transaction: folds the events since
 * the latest checkpoint into its state (the state replay of every event gives, by construction),
 * seals those events as an archive segment chained to the previous one, stores the state
 * compressed with its checksum and digest, and publishes the compact view as the next version of
 * artifact team-checkpoint. One `team.checkpoint` event carries that artifact's row. When nothing
 * but the latest checkpoint's own event happened since, the latest one is answered (created:
 * false). With `expectUptoSeq` (the sweep's compare-and-set), null when the latest checkpoint no
 * longer covers exactly that.
 */
export function checkpointTeam(op: Op, teamId: string, options: CheckpointOptions): CheckpointResult | null {
  let publisher: string;
  let actorAgentId: string | null = null;
  if (options.actor !== undefined) {
    const caller = requireWriter(op, options.actor);
    requireLead(op, caller, 'team_checkpoint', 'checkpoint the team');
    publisher = caller.agent.id;
    actorAgentId = caller.agent.id;
  } else {
    const team = findTeam(op, teamId);
    if (team === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`);
    publisher = team.lead_agent_id;
  }
  const previous = latestRow(op, teamId);
  if (options.expectUptoSeq !== undefined && (previous?.upto_seq ?? 0) !== options.expectUptoSeq) return null;
  const segment = eventsAfter(op, teamId, previous?.upto_seq ?? 0);
  if (previous !== undefined && segment.every((event) => event.action === 'team.checkpoint')) {
    return { checkpoint: toRef(previous), created: false };
  }
  const first = segment[0];
  const last = segment[segment.length - 1];
  if (first === undefined || last === undefined) throw new TeamError('NOT_FOUND', `team ${teamId} has no audit events`);

  const state = previous === undefined ? new ReplayState() : replayStateOf(readCheckpoint(op, teamId, previous.number) as StoredCheckpoint);
  for (const event of segment) state.apply(event);
  const stateJson = JSON.stringify(state.toJson());
  const digest = stateDigest(state.snapshot());
  const number = (previous?.number ?? 0) + 1;
  const archive = { from_seq: first.seq, to_seq: last.seq, events: segment.length, sha256: archiveChecksum(previous?.archive_sha256 ?? '', segment) };
  const view = checkpointView({ state: state.snapshot(), number, format: CHECKPOINT_FORMAT, uptoSeq: last.seq, stateDigest: digest, archived: segment });
  const artifact = insertArtifactVersion(op, {
    teamId,
    name: CHECKPOINT_ARTIFACT,
    content: JSON.stringify(view),
    mediaType: 'application/json',
    taskId: null,
    plan: false,
    tests: false,
    publishedBy: publisher,
  });
  op.sql.run(
    `INSERT INTO checkpoints (team_id, number, format, upto_seq, events, archive_from_seq, archive_to_seq, archive_events,
       archive_sha256, state, state_sha256, state_digest, artifact_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    teamId,
    number,
    CHECKPOINT_FORMAT,
    last.seq,
    (previous?.events ?? 0) + segment.length,
    archive.from_seq,
    archive.to_seq,
    archive.events,
    archive.sha256,
    // Level 1: the state is JSON (it shrinks several times over at any level), and this runs
    // inside a write transaction.
    gzipSync(Buffer.from(stateJson, 'utf8'), { level: 1 }),
    sha256Hex(stateJson),
    digest,
    artifact.id,
    op.now,
  );
  const checkpoint = toRef(op.sql.get<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE team_id = ? AND number = ?`, teamId, number) as CheckpointRow);
  appendAudit(op, {
    teamId,
    actorAgentId,
    action: 'team.checkpoint',
    subjectId: artifact.id,
    reason: `checkpoint ${number}: state up to seq ${last.seq}, ${segment.length} events archived (seq ${first.seq}..${last.seq})`,
    data: { artifact, checkpoint },
  });
  return { checkpoint, created: true };
}
