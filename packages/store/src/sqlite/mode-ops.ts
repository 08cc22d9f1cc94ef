import { LIMITS, TeamError, type Message, type PlanReview, type TeamMode, type TeamModeState, type ToolName } from '@codex-team/contracts';
import { modeChangeRuling, modeGateRuling, type ModeCallFacts } from '@codex-team/policy-engine';
import type { Actor, ModeChangeResult, PlanReviewInput, SetModeInput } from '../team-store';
import { logDecision, requireCaller, requireLead, requireWriter, type Caller } from './access';
import { refusePolicy } from './policy-ops';
import { appendAudit } from './audit';
import { MESSAGE_COLUMNS, TEAM_COLUMNS, iso, teamRowAt, toMessage, toTeam, type MessageRow, type TeamRow } from './row-mappers';
import type { Op } from './transaction';

/**
 * Records the lapse of a temporary mode the stored row still shows, once: the compare-and-set on
 * mode_expires_at makes a second sweep, or a sweep in another process, change nothing more.
 * Returns whether this call recorded it.
 */
export function recordLapse(op: Op, stored: TeamRow): boolean {
  const lapsed = teamRowAt(stored, op.now);
  // teamRowAt hands back the row itself while its mode has not lapsed.
  if (lapsed === stored || stored.mode_expires_at === null) return false;
  const changed = op.sql.run(
    `UPDATE teams SET mode = ?, mode_set_by = ?, mode_reason = ?, mode_set_at = ?, mode_expires_at = ?, mode_returns_to = ?
     WHERE id = ? AND mode_expires_at = ?`,
    lapsed.mode,
    lapsed.mode_set_by,
    lapsed.mode_reason,
    lapsed.mode_set_at,
    lapsed.mode_expires_at,
    lapsed.mode_returns_to,
    stored.id,
    stored.mode_expires_at,
  ).changes;
  if (changed === 0) return false;
  const team = toTeam(lapsed);
  appendAudit(op, {
    teamId: stored.id,
    actorAgentId: null,
    action: 'mode.expire',
    subjectId: stored.id,
    reason: `the temporary ${stored.mode} mode lapsed at ${iso(stored.mode_expires_at)}; back to ${team.mode.current}`,
    data: { team, lapsed: stored.mode, lapsed_at: iso(stored.mode_expires_at) },
  });
  return true;
}

function storedTeam(op: Op, teamId: string): TeamRow {
  const row = op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, teamId);
  if (row === undefined) throw new TeamError('INTERNAL', `team ${teamId} vanished inside a transaction`);
  return row;
}

/** The mode columns of a team row. */
export type ModeColumns = Pick<TeamRow, 'mode' | 'mode_set_by' | 'mode_reason' | 'mode_set_at' | 'mode_expires_at' | 'mode_returns_to'>;

/**
 * The mode columns an allowed change writes; times in epoch milliseconds. A temporary mode returns
 * to the last lasting one: from a lasting mode that is the mode it leaves; from a temporary mode,
 * that mode's own return target, so temporary modes never stack into a chain of returns.
 */
export function modeColumnsAfter(
  from: Pick<TeamRow, 'mode' | 'mode_expires_at' | 'mode_returns_to'>,
  change: { to: TeamMode; ttlMs: number | undefined; actorAgentId: string; reason: string },
  now: number,
): ModeColumns {
  const set = { mode: change.to, mode_set_by: change.actorAgentId, mode_reason: change.reason.slice(0, LIMITS.reasonMaxChars), mode_set_at: now };
  if (change.ttlMs === undefined) return { ...set, mode_expires_at: null, mode_returns_to: null };
  const returnsTo = from.mode_expires_at !== null && from.mode_returns_to !== null ? from.mode_returns_to : from.mode;
  return { ...set, mode_expires_at: now + change.ttlMs, mode_returns_to: returnsTo };
}

/** Lead only: the team's mode changes if the transition table allows it; refused, nothing changes. */
export function setMode(op: Op, actor: Actor, input: SetModeInput): ModeChangeResult {
  const caller = requireWriter(op, actor);
  requireLead(op, caller, 'team_mode', 'change the team mode');
  recordLapse(op, storedTeam(op, caller.team.id));
  const before = toTeam(caller.team);
  const inFlightRows = op.sql.all<{ id: string; owner_agent_id: string | null }>(
    "SELECT id, owner_agent_id FROM tasks WHERE team_id = ? AND status = 'in_progress' ORDER BY seq",
    caller.team.id,
  );
  const inFlight = inFlightRows.map((row) => row.id);
  const decision = modeChangeRuling({
    from: before.mode,
    to: input.mode,
    ttlMs: input.ttlMs,
    leadHeldTaskIds: inFlightRows.filter((row) => row.owner_agent_id === caller.agent.id).map((row) => row.id),
  });
  if (decision.decision === 'deny') refusePolicy(op, caller, decision, 'team_mode', caller.team.id);
  logDecision(op, caller.team, decision);
  const next = modeColumnsAfter(caller.team, { to: input.mode, ttlMs: input.ttlMs, actorAgentId: caller.agent.id, reason: input.reason }, op.now);
  op.sql.run(
    `UPDATE teams SET mode = ?, mode_set_by = ?, mode_reason = ?, mode_set_at = ?, mode_expires_at = ?, mode_returns_to = ?
     WHERE id = ?`,
    next.mode,
    next.mode_set_by,
    next.mode_reason,
    next.mode_set_at,
    next.mode_expires_at,
    next.mode_returns_to,
    caller.team.id,
  );
  // The row as a read-back would see it: only the mode columns changed.
  const team = toTeam(teamRowAt({ ...caller.team, ...next }, op.now));
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: caller.agent.id,
    action: 'mode.set',
    subjectId: team.id,
    reason: `${before.mode.current} -> ${team.mode.current} (${decision.rule}): ${input.reason}`,
    data: { team, previous: before.mode, rule: decision.rule, ttl_ms: input.ttlMs ?? null, in_flight_task_ids: inFlight },
  });
  return { mode: team.mode, previous: before.mode, inFlightTaskIds: inFlight };
}

/** The caller's team mode as it applies now. */
export function readMode(op: Op, actor: Actor): TeamModeState {
  return toTeam(requireCaller(op, actor).team).mode;
}

/**
 * Inside a write that carries out a gated call: DENIED when the team's mode refuses it (audited as
 * `policy.deny`). The authorization step refused it already unless the mode changed in between;
 * this closes that race. Default mode has no gate.
 */
export function requireModeAllows(
  op: Op,
  caller: Caller,
  tool: ToolName,
  extra: Partial<Pick<ModeCallFacts, 'actions' | 'spawnRole' | 'publishesPlan'>> = {},
  subjectId: string | null = null,
): void {
  const mode = caller.team.mode;
  if (mode === 'default') return;
  const ruling = modeGateRuling(mode, { tool, callerIsLead: caller.isLead, actions: extra.actions ?? [], ...extra });
  if (ruling.decision === 'deny') refusePolicy(op, caller, ruling, tool, subjectId);
}

interface PlanReviewRow {
  artifact_id: string;
  team_id: string;
  submitted_by: string;
  submitted_at: number;
  status: 'pending' | 'approved' | 'rejected';
  reviewed_by: string | null;
  reviewed_at: number | null;
  reason: string | null;
}

const REVIEW_COLUMNS = 'artifact_id, team_id, submitted_by, submitted_at, status, reviewed_by, reviewed_at, reason';

function toPlanReview(row: PlanReviewRow): PlanReview {
  return {
    artifact_id: row.artifact_id,
    team_id: row.team_id,
    submitted_by: row.submitted_by,
    submitted_at: iso(row.submitted_at),
    status: row.status,
    reviewed_by: row.reviewed_by,
    reviewed_at: row.reviewed_at === null ? null : iso(row.reviewed_at),
    reason: row.reason,
  };
}

function reviewOf(op: Op, artifactId: string): PlanReviewRow | undefined {
  return op.sql.get<PlanReviewRow>(`SELECT ${REVIEW_COLUMNS} FROM plan_reviews WHERE artifact_id = ?`, artifactId);
}

function reviewWritten(op: Op, artifactId: string): PlanReview {
  const row = reviewOf(op, artifactId);
  if (row === undefined) throw new TeamError('INTERNAL', `plan review ${artifactId} was not stored`);
  return toPlanReview(row);
}

/**
 * The message telling the other side about a plan. It is part of the plan's own event (one call,
 * one event), which carries it in its data, so replay rebuilds it like any sent message.
 */
function notify(op: Op, teamId: string, from: string, to: string, body: string, artifactId: string): Message {
  const id = op.ids.next('ms');
  op.sql.run(
    `INSERT INTO messages (id, team_id, from_agent_id, to_agent_id, body, artifact_refs, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    id,
    teamId,
    from,
    to,
    body,
    JSON.stringify([artifactId]),
    op.now,
  );
  const row = op.sql.get<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id);
  if (row === undefined) throw new TeamError('INTERNAL', `message ${id} was not stored`);
  return toMessage(row);
}

/** The author of a plan artifact asks the lead to approve it; the lead gets a message. */
export function submitPlan(op: Op, actor: Actor, artifactId: string): PlanReview {
  const caller = requireWriter(op, actor);
  const artifact = op.sql.get<{ id: string; name: string; version: number; plan: 0 | 1; published_by: string }>(
    'SELECT id, name, version, plan, published_by FROM artifacts WHERE id = ? AND team_id = ?',
    artifactId,
    caller.team.id,
  );
  if (artifact === undefined) throw new TeamError('NOT_FOUND', `no artifact ${artifactId} in this team`, { artifact_id: artifactId });
  if (artifact.plan !== 1) {
    throw new TeamError('INVALID_INPUT', `artifact ${artifactId} is not a plan: publish it with plan: true`, { artifact_id: artifactId });
  }
  if (artifact.published_by !== caller.agent.id) {
    throw new TeamError('DENIED', 'only the author of a plan may submit it', { artifact_id: artifactId, author: artifact.published_by });
  }
  const existing = reviewOf(op, artifactId);
  if (existing !== undefined) {
    throw new TeamError('CONFLICT', `plan ${artifactId} was already submitted (${existing.status}); publish a new version to resubmit`, {
      artifact_id: artifactId,
      status: existing.status,
    });
  }
  op.sql.run(
    "INSERT INTO plan_reviews (artifact_id, team_id, submitted_by, submitted_at, status) VALUES (?, ?, ?, ?, 'pending')",
    artifactId,
    caller.team.id,
    caller.agent.id,
    op.now,
  );
  const review = reviewWritten(op, artifactId);
  const message = caller.isLead
    ? null
    : notify(
        op,
        caller.team.id,
        caller.agent.id,
        caller.team.lead_agent_id,
        `plan for approval: ${artifact.name} v${artifact.version} (team_plan approve or reject)`,
        artifactId,
      );
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'plan.submit',
    subjectId: artifactId,
    reason: `${caller.agent.name} submitted ${artifact.name} v${artifact.version} for approval`,
    data: { plan: review, message },
  });
  return review;
}

/** Lead only: approves or rejects a pending plan with a reason; its author gets a message. */
export function reviewPlan(op: Op, actor: Actor, input: PlanReviewInput): PlanReview {
  const caller = requireWriter(op, actor);
  requireLead(op, caller, 'team_plan', 'approve or reject plans', input.approve ? 'approve' : 'reject');
  const existing = reviewOf(op, input.artifactId);
  if (existing === undefined || existing.team_id !== caller.team.id) {
    throw new TeamError('NOT_FOUND', `no submitted plan ${input.artifactId} in this team`, { artifact_id: input.artifactId });
  }
  if (existing.status !== 'pending') {
    throw new TeamError('CONFLICT', `plan ${input.artifactId} was already ${existing.status}`, { artifact_id: input.artifactId, status: existing.status });
  }
  const status = input.approve ? 'approved' : 'rejected';
  const reason = input.reason.slice(0, LIMITS.reasonMaxChars);
  op.sql.run(
    "UPDATE plan_reviews SET status = ?, reviewed_by = ?, reviewed_at = ?, reason = ? WHERE artifact_id = ? AND status = 'pending'",
    status,
    caller.agent.id,
    op.now,
    reason,
    input.artifactId,
  );
  const review = reviewWritten(op, input.artifactId);
  const message =
    existing.submitted_by === caller.agent.id
      ? null
      : notify(op, caller.team.id, caller.agent.id, existing.submitted_by, `plan ${status}: ${reason}`, input.artifactId);
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: input.approve ? 'plan.approve' : 'plan.reject',
    subjectId: input.artifactId,
    reason,
    data: { plan: review, message },
  });
  return review;
}
