import { createHash } from 'node:crypto';
import { CHECKPOINT_ARTIFACT, LIMITS, TeamError, type Artifact, type ToolInput } from '@codex-team/contracts';
import type { Actor, ArtifactContent } from '../team-store';
import { requireCaller, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { ARTIFACT_COLUMNS, toArtifact, type ArtifactRow } from './row-mappers';
import { requireHolder, requireTask } from './task-rows';
import type { Op } from './transaction';
import { requireModeAllows } from './mode-ops';

/** A new artifact version as the store writes it, for a publishing agent or for a checkpoint. */
export interface NewArtifactVersion {
  teamId: string;
  name: string;
  content: string;
  mediaType: string;
  taskId: string | null;
  plan: boolean;
  /** A test report (team_artifact_publish tests=true). */
  tests: boolean;
  publishedBy: string;
}

/** Inserts the next version of a named artifact (version = last + 1) and returns its row. */
export function insertArtifactVersion(op: Op, input: NewArtifactVersion): Artifact {
  const last = op.sql.value<number>('SELECT MAX(version) FROM artifacts WHERE team_id = ? AND name = ?', input.teamId, input.name);
  const id = op.ids.next('af');
  op.sql.run(
    `INSERT INTO artifacts
       (id, team_id, name, version, media_type, sha256, size_bytes, content, task_id, plan, tests, published_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    input.teamId,
    input.name,
    (last ?? 0) + 1,
    input.mediaType,
    createHash('sha256').update(input.content, 'utf8').digest('hex'),
    Buffer.byteLength(input.content, 'utf8'),
    input.content,
    input.taskId,
    input.plan ? 1 : 0,
    input.tests ? 1 : 0,
    input.publishedBy,
    op.now,
  );
  const row = op.sql.get<ArtifactRow>(`SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE id = ?`, id);
  if (row === undefined) throw new TeamError('INTERNAL', `artifact ${id} was not stored`);
  return toArtifact(row);
}

/**
 * Publishes a new version of a named artifact (version = last + 1). Tying it to a task needs the
 * caller's live claim on that task (fence), like any other write about a claimed task, except for
 * the lead tying it to a task nobody holds. The audit event records sha256 and size, never the
 * content. The checkpoints' name is theirs alone.
 */
export function publishArtifact(op: Op, actor: Actor, input: ToolInput<'team_artifact_publish'>): Artifact {
  const caller = requireWriter(op, actor);
  if (input.name === CHECKPOINT_ARTIFACT) {
    throw new TeamError('INVALID_INPUT', `the artifact name ${CHECKPOINT_ARTIFACT} is kept for checkpoints (team_checkpoint); choose another`, {
      name: input.name,
    });
  }
  requireModeAllows(op, caller, 'team_artifact_publish', { publishesPlan: input.plan });
  const size = Buffer.byteLength(input.content, 'utf8');
  if (size > LIMITS.artifactMaxBytes) {
    throw new TeamError('PAYLOAD_TOO_LARGE', `artifact is ${size} bytes, more than ${LIMITS.artifactMaxBytes}`, {
      bytes: size,
      max_bytes: LIMITS.artifactMaxBytes,
    });
  }
  if (input.task_id !== undefined) {
    const task = requireTask(op, caller.team.id, input.task_id);
    // The lead may also tie material to a task nobody holds (not in progress, or held by a child
    // team): that is how it shares an artifact down with a delegated task (docs/hierarchy.md).
    const brief = caller.isLead && input.fence === undefined && (task.status !== 'in_progress' || task.delegated_to_team_id !== null);
    if (!brief) requireHolder(op, task, caller.agent, input.fence);
  }
  const artifact = insertArtifactVersion(op, {
    teamId: caller.team.id,
    name: input.name,
    content: input.content,
    mediaType: input.media_type,
    taskId: input.task_id ?? null,
    plan: input.plan,
    tests: input.tests === true,
    publishedBy: caller.agent.id,
  });
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'artifact.publish',
    subjectId: artifact.id,
    reason: `published ${artifact.name} v${artifact.version} (${artifact.size_bytes} bytes)`,
    data: { artifact },
  });
  return artifact;
}

/**
 * Artifacts a child team may read of its parent: those tied to a task delegated to it (shared down
 * with the task). The `@shared` parameter is the child's id, or NULL when the caller sees them all.
 */
const SHARED_WITH = `(@shared IS NULL OR task_id IN (SELECT id FROM tasks WHERE delegated_to_team_id = @shared))`;
const SHARED_WITH_B = `(@shared IS NULL OR b.task_id IN (SELECT id FROM tasks WHERE delegated_to_team_id = @shared))`;

function sharedWith(caller: Caller): string | null {
  return caller.access === 'shared' ? caller.home.team.id : null;
}

/** By exact id, or by name (latest, or the given version); a child reading its parent, only what is shared with it. */
export function readArtifact(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_artifact_read'>,
): ArtifactContent {
  const caller = requireCaller(op, actor, 'team_artifact_read');
  const shared = sharedWith(caller);
  if ((input.artifact_id === undefined) === (input.name === undefined)) {
    throw new TeamError('INVALID_INPUT', 'give either artifact_id or name, not both and not neither');
  }
  if (input.artifact_id !== undefined && input.version !== undefined) {
    throw new TeamError('INVALID_INPUT', 'version goes with name; an artifact_id already names one version');
  }
  type Row = ArtifactRow & { content: string };
  const row =
    input.artifact_id !== undefined
      ? op.sql.get<Row>(
          `SELECT ${ARTIFACT_COLUMNS}, content FROM artifacts WHERE id = @id AND team_id = @team AND ${SHARED_WITH}`,
          { id: input.artifact_id, team: caller.team.id, shared },
        )
      : op.sql.get<Row>(
          `SELECT ${ARTIFACT_COLUMNS}, content FROM artifacts
           WHERE team_id = @team AND name = @name AND (@version IS NULL OR version = @version) AND ${SHARED_WITH}
           ORDER BY version DESC LIMIT 1`,
          { team: caller.team.id, name: input.name, version: input.version ?? null, shared },
        );
  if (row === undefined) {
    const what = input.artifact_id ?? `${String(input.name)}${input.version === undefined ? '' : ` v${input.version}`}`;
    throw new TeamError('NOT_FOUND', `no artifact ${what} in this team`);
  }
  return { artifact: toArtifact(row), content: row.content };
}

/** The latest version of every name (by name), or every version of one name (oldest first). */
export function listArtifacts(op: Op, actor: Actor, input: ToolInput<'team_artifact_list'>): Artifact[] {
  const caller = requireCaller(op, actor, 'team_artifact_list');
  const shared = sharedWith(caller);
  const rows =
    input.name !== undefined
      ? op.sql.all<ArtifactRow>(
          `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE team_id = @team AND name = @name AND ${SHARED_WITH} ORDER BY version`,
          { team: caller.team.id, name: input.name, shared },
        )
      : op.sql.all<ArtifactRow>(
          `SELECT ${ARTIFACT_COLUMNS} FROM artifacts a
           WHERE team_id = @team AND ${SHARED_WITH}
             AND version = (SELECT MAX(version) FROM artifacts b WHERE b.team_id = a.team_id AND b.name = a.name AND ${SHARED_WITH_B})
           ORDER BY name`,
          { team: caller.team.id, shared },
        );
  return rows.map(toArtifact);
}
