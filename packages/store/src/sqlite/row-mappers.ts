import type {
  Agent,
  AgentState,
  Artifact,
  AuditEvent,
  Decision,
  Message,
  RiskTier,
  Task,
  TaskStatus,
  Team,
  TeamMode,
  TeamState,
} from '@codex-team/contracts';
import { modeLapse } from '@codex-team/policy-engine';

// Rows as SQLite returns them. Times are epoch milliseconds; entities carry ISO strings.

export interface TeamRow {
  id: string;
  name: string;
  objective: string;
  state: TeamState;
  lead_agent_id: string;
  max_threads: number;
  profile: string;
  created_at: number;
  finalized_at: number | null;
  summary: string | null;
  mode: TeamMode;
  mode_set_by: string | null;
  mode_reason: string;
  mode_set_at: number | null;
  mode_expires_at: number | null;
  mode_returns_to: TeamMode | null;
  parent_team_id: string | null;
  root_team_id: string;
  depth: number;
  budget_tokens: number | null;
  rolled_up_tokens: number;
  cancelled_at: number | null;
  cwd: string | null;
  repo: string | null;
}

export interface AgentRow {
  id: string;
  team_id: string;
  name: string;
  role: string;
  permission_profile: string | null;
  principal_agent_id: string | null;
  state: AgentState;
  epoch: number;
  created_at: number;
  joined_at: number | null;
  last_seen_at: number | null;
}

export interface TaskRow {
  id: string;
  team_id: string;
  title: string;
  description: string;
  required_role: string | null;
  priority: number;
  risk: RiskTier;
  status: TaskStatus;
  owner_agent_id: string | null;
  fence: number;
  lease_expires_at: number | null;
  attempts: number;
  progress: string | null;
  result: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  delegated_to_team_id: string | null;
}

export interface MessageRow {
  id: string;
  team_id: string;
  from_agent_id: string | null;
  to_agent_id: string | null;
  body: string;
  artifact_refs: string;
  task_id: string | null;
  created_at: number;
  sender_kind: 'operator' | null;
}

export interface ArtifactRow {
  id: string;
  team_id: string;
  name: string;
  version: number;
  media_type: string;
  sha256: string;
  size_bytes: number;
  task_id: string | null;
  plan: 0 | 1;
  tests: 0 | 1;
  published_by: string;
  created_at: number;
}

export interface AuditRow {
  seq: number;
  team_id: string;
  at: number;
  actor_agent_id: string | null;
  actor_kind: 'operator' | null;
  action: string;
  subject_id: string | null;
  decision: Decision;
  reason: string;
  data: string;
}

// Column lists shared by every query that maps to an entity, so a mapper never sees a partial row.
// Ticket hashes and artifact content are deliberately absent.
export const TEAM_COLUMNS =
  'id, name, objective, state, lead_agent_id, max_threads, profile, created_at, finalized_at, summary, ' +
  'mode, mode_set_by, mode_reason, mode_set_at, mode_expires_at, mode_returns_to, ' +
  'parent_team_id, root_team_id, depth, budget_tokens, rolled_up_tokens, cancelled_at, cwd, repo';
export const AGENT_COLUMNS =
  'id, team_id, name, role, permission_profile, principal_agent_id, state, epoch, created_at, joined_at, last_seen_at';
export const TASK_COLUMNS =
  'id, team_id, title, description, required_role, priority, risk, status, owner_agent_id, fence, ' +
  'lease_expires_at, attempts, progress, result, created_by, created_at, updated_at, completed_at, delegated_to_team_id';
export const MESSAGE_COLUMNS = 'id, team_id, from_agent_id, to_agent_id, body, artifact_refs, task_id, created_at, sender_kind';
export const ARTIFACT_COLUMNS =
  'id, team_id, name, version, media_type, sha256, size_bytes, task_id, plan, tests, published_by, created_at';

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** Our own JSON arrays of ids; anything else means the row was written by something else. */
export function parseIdList(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new Error(`expected a JSON array of ids, got ${text.slice(0, 80)}`);
  }
  return value;
}

export function toTeam(row: TeamRow): Team {
  return {
    id: row.id,
    name: row.name,
    objective: row.objective,
    state: row.state,
    lead_agent_id: row.lead_agent_id,
    max_threads: row.max_threads,
    profile: row.profile,
    created_at: iso(row.created_at),
    finalized_at: isoOrNull(row.finalized_at),
    summary: row.summary,
    mode: {
      current: row.mode,
      set_by: row.mode_set_by,
      reason: row.mode_reason,
      set_at: isoOrNull(row.mode_set_at),
      expires_at: isoOrNull(row.mode_expires_at),
      returns_to: row.mode_returns_to,
    },
    // Tree fields only where they say something, so a team without a tree looks as it always did.
    ...(row.parent_team_id === null ? {} : { parent_team_id: row.parent_team_id }),
    ...(row.budget_tokens === null ? {} : { budget_tokens: row.budget_tokens }),
    ...(row.rolled_up_tokens === 0 ? {} : { rolled_up_tokens: row.rolled_up_tokens }),
    ...(row.cancelled_at === null ? {} : { cancelled_at: iso(row.cancelled_at) }),
    ...(row.cwd === null ? {} : { cwd: row.cwd }),
    ...(row.repo === null ? {} : { repo: row.repo }),
  };
}


/**
 * The row as it applies at `now`: a temporary mode whose time has passed has returned to the mode
 * it returns to. Every read of a team row goes through this, so a lapse is enforced at every check
 * (not only once something records it); the sweep records it as a `mode.expire` event.
 */
export function teamRowAt(row: TeamRow, now: number): TeamRow {
  const lapse = modeLapse({ current: row.mode, expiresAt: row.mode_expires_at, returnsTo: row.mode_returns_to }, now);
  if (lapse === null) return row;
  return {
    ...row,
    mode: lapse.to,
    mode_set_by: null,
    mode_reason: lapse.reason,
    mode_set_at: row.mode_expires_at,
    mode_expires_at: null,
    mode_returns_to: null,
  };
}

export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    team_id: row.team_id,
    name: row.name,
    role: row.role,
    // Present only when granted, so agents without a grant look exactly as before grants existed.
    ...(row.permission_profile === null ? {} : { permission_profile: row.permission_profile }),
    ...(row.principal_agent_id === null ? {} : { principal_agent_id: row.principal_agent_id }),
    state: row.state,
    created_at: iso(row.created_at),
    joined_at: isoOrNull(row.joined_at),
    last_seen_at: isoOrNull(row.last_seen_at),
  };
}

export function toTask(row: TaskRow, dependsOn: string[]): Task {
  return {
    id: row.id,
    team_id: row.team_id,
    title: row.title,
    description: row.description,
    required_role: row.required_role,
    priority: row.priority,
    risk: row.risk,
    status: row.status,
    depends_on: dependsOn,
    owner_agent_id: row.owner_agent_id,
    fence: row.fence,
    lease_expires_at: isoOrNull(row.lease_expires_at),
    attempts: row.attempts,
    progress: row.progress,
    result: row.result,
    created_by: row.created_by,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    completed_at: isoOrNull(row.completed_at),
    ...(row.delegated_to_team_id === null ? {} : { delegated_to: row.delegated_to_team_id }),
  };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    team_id: row.team_id,
    from_agent_id: row.from_agent_id,
    to_agent_id: row.to_agent_id,
    body: row.body,
    artifact_refs: parseIdList(row.artifact_refs),
    task_id: row.task_id,
    created_at: iso(row.created_at),
    ...(row.sender_kind === 'operator' ? { sender_kind: 'operator' as const } : {}),
  };
}

export function toArtifact(row: ArtifactRow): Artifact {
  return {
    id: row.id,
    team_id: row.team_id,
    name: row.name,
    version: row.version,
    media_type: row.media_type,
    sha256: row.sha256,
    size_bytes: row.size_bytes,
    task_id: row.task_id,
    plan: row.plan === 1,
    tests: row.tests === 1,
    published_by: row.published_by,
    created_at: iso(row.created_at),
  };
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  const data: unknown = JSON.parse(row.data);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`audit event ${row.seq} has non-object data`);
  }
  return {
    seq: row.seq,
    team_id: row.team_id,
    at: iso(row.at),
    actor_agent_id: row.actor_agent_id,
    ...(row.actor_kind === 'operator' ? { actor_kind: 'operator' as const } : {}),
    action: row.action,
    subject_id: row.subject_id,
    decision: row.decision,
    reason: row.reason,
    data: data as Record<string, unknown>,
  };
}
