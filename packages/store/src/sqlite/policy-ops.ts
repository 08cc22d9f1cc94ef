import { ProfileNameSchema, TeamError, UsageSampleSchema } from '@codex-team/contracts';
import type { AdmittedAction } from '../team-policy';
import type { UsageRecord } from '../team-snapshot';
import type { Actor, DecisionEntry, RecordUsageInput, SetProfileInput } from '../team-store';
import { findTeam, requireCaller, requireLead, requireTeam, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { iso, toTeam } from './row-mappers';
import { requireTask } from './task-rows';
import { tasksByStatus } from './team-ops';
import type { Op } from './transaction';

interface PolicyStateRow {
  used_tokens: number;
  consensus_at: number | null;
}

/** The team's policy state: tokens charged so far and the lead's consensus. */
export function policyState(op: Op, teamId: string): PolicyStateRow {
  const row = op.sql.get<PolicyStateRow>('SELECT used_tokens, consensus_at FROM teams WHERE id = ?', teamId);
  if (row === undefined) throw new TeamError('INTERNAL', `team ${teamId} vanished inside a transaction`);
  return row;
}

/** Asks the team's policy, inside the caller's transaction, whether it may spawn or claim. */
export function admit(op: Op, caller: Caller, action: AdmittedAction): void {
  const state = policyState(op, caller.team.id);
  op.policy.admit({
    team: toTeam(caller.team),
    action,
    actorAgentId: caller.agent.id,
    usedTokens: state.used_tokens,
    tasksByStatus: tasksByStatus(op, caller.team.id),
    consensusAt: state.consensus_at === null ? null : iso(state.consensus_at),
  });
}

interface UsageRow {
  seq: number;
  agent_id: string;
  task_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  charged_tokens: number;
  created_at: number;
}

export const USAGE_COLUMNS =
  'seq, agent_id, task_id, input_tokens, output_tokens, cached_input_tokens, charged_tokens, created_at';

export function toUsage(row: UsageRow): UsageRecord {
  return {
    seq: row.seq,
    agent_id: row.agent_id,
    task_id: row.task_id,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cached_input_tokens: row.cached_input_tokens,
    charged_tokens: row.charged_tokens,
    at: iso(row.created_at),
  };
}

/**
 * Charges one usage sample: the policy says how many tokens and why; the sample and the team's new
 * total are written with one `usage.report` event. Finalized teams are charged too: the tokens
 * were spent.
 */
export function recordUsage(op: Op, actor: Actor, input: RecordUsageInput): UsageRecord {
  const caller = requireCaller(op, actor);
  const sample = UsageSampleSchema.safeParse(input.sample);
  if (!sample.success) {
    throw new TeamError('INVALID_INPUT', `usage is invalid: ${sample.error.issues[0]?.message ?? 'invalid'}`);
  }
  const taskId = input.taskId ?? null;
  if (taskId !== null) requireTask(op, caller.team.id, taskId);
  const before = policyState(op, caller.team.id).used_tokens;
  const charge = op.policy.charge(toTeam(caller.team), before, sample.data);
  if (!Number.isSafeInteger(charge.tokens) || charge.tokens < 0 || !Number.isSafeInteger(before + charge.tokens)) {
    throw new TeamError('INVALID_INPUT', `usage of ${charge.tokens} tokens cannot be charged`, { tokens: charge.tokens });
  }
  const seq = Number(
    op.sql.run(
      `INSERT INTO usage_samples
         (team_id, agent_id, task_id, input_tokens, output_tokens, cached_input_tokens, charged_tokens, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      caller.team.id,
      caller.agent.id,
      taskId,
      sample.data.input_tokens,
      sample.data.output_tokens,
      sample.data.cached_input_tokens ?? 0,
      charge.tokens,
      op.now,
    ).lastInsertRowid,
  );
  op.sql.run('UPDATE teams SET used_tokens = used_tokens + ? WHERE id = ?', charge.tokens, caller.team.id);
  const row = op.sql.get<UsageRow>(`SELECT ${USAGE_COLUMNS} FROM usage_samples WHERE seq = ?`, seq);
  if (row === undefined) throw new TeamError('INTERNAL', 'the usage sample was not stored');
  const usage = toUsage(row);
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'usage.report',
    subjectId: taskId,
    reason: charge.reason,
    data: { usage, used_tokens: before + charge.tokens, crossed: charge.crossed ?? null },
  });
  return usage;
}

/** Lead only: the team runs under another profile from the next decision on. */
export function setProfile(
  op: Op,
  actor: Actor,
  input: SetProfileInput,
): { team: ReturnType<typeof toTeam>; previous_profile: string; changed: boolean } {
  const caller = requireWriter(op, actor);
  requireLead(caller, 'switch the team profile');
  const name = ProfileNameSchema.safeParse(input.profile);
  if (!name.success) {
    throw new TeamError('INVALID_INPUT', `profile ${JSON.stringify(input.profile)} ${name.error.issues[0]?.message ?? 'is invalid'}`);
  }
  const previous = caller.team.profile;
  // Resolving the new profile's cap proves the policy knows it before anything is written.
  op.policy.threadCap({ ...toTeam(caller.team), profile: input.profile });
  if (previous === input.profile) return { team: toTeam(caller.team), previous_profile: previous, changed: false };
  op.sql.run('UPDATE teams SET profile = ? WHERE id = ?', input.profile, caller.team.id);
  const team = toTeam(requireTeam(op, caller.team.id));
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: caller.agent.id,
    action: 'policy.switch',
    subjectId: team.id,
    reason: input.reason,
    data: { team, previous_profile: previous },
  });
  return { team, previous_profile: previous, changed: true };
}

/** Whether the team's last event of this action carries exactly this decision's data. */
export function sameAsLastDecision(op: Op, teamId: string, entry: DecisionEntry): boolean {
  const last = op.sql.value<string>(
    'SELECT data FROM audit_events WHERE team_id = ? AND action = ? ORDER BY seq DESC LIMIT 1',
    teamId,
    entry.action,
  );
  return last !== undefined && last === JSON.stringify(entry.data);
}

/** One audited policy decision; see TeamStore.recordDecision. */
export function recordDecision(
  op: Op,
  teamId: string,
  entry: DecisionEntry,
  options: { unlessSameAsLast?: boolean },
): boolean {
  if (findTeam(op, teamId) === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`);
  if (options.unlessSameAsLast === true && sameAsLastDecision(op, teamId, entry)) return false;
  appendAudit(op, {
    teamId,
    actorAgentId: entry.actorAgentId,
    action: entry.action,
    subjectId: entry.subjectId ?? null,
    reason: entry.reason,
    data: entry.data,
    decision: entry.decision,
  });
  return true;
}
