import { ProfileNameSchema, TeamError, UsageSampleSchema, type ToolName, type UsageRecord, type UsageSample } from '@codex-team/contracts';
import {
  admissionRuling,
  profileChanges,
  refusalError,
  usageRateRuling,
  usageRuling,
  USAGE_RATE_WINDOW_MS,
  type BudgetedAction,
  type PolicyRefusal,
} from '@codex-team/policy-engine';
import type { Actor, DecisionEntry, ProfileSwitch, SetProfileInput } from '../team-store';
import { findTeam, logDecision, requireCaller, requireLead, requireTeam, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { iso, toTeam } from './row-mappers';
import { requireTask, tasksByStatus } from './task-rows';
import type { Op } from './transaction';
import { budgetOf } from './tree-rows';

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

/**
 * Refuses the call by a team policy rule: the refusal is logged, audited as one `policy.deny` event
 * written in the same transaction once the operation's own writes are rolled back, and thrown.
 */
export function refusePolicy(op: Op, caller: Caller, refusal: PolicyRefusal, tool: ToolName, subjectId: string | null): never {
  logDecision(op, caller.team, refusal);
  op.onRefusal(() =>
    appendAudit(op, {
      teamId: caller.team.id,
      actorAgentId: caller.agent.id,
      action: 'policy.deny',
      decision: 'deny',
      subjectId,
      reason: `${refusal.rule}: ${refusal.message}`,
      data: { rule: refusal.rule, tool, code: refusal.code },
    }),
  );
  throw refusalError(refusal);
}

/**
 * The team's budget and early stop, asked inside the spawn or claim transaction: the refusal (a
 * PolicyRefusal, logged and audited) or null when the action may go ahead.
 */
export function admission(op: Op, caller: Caller, action: BudgetedAction): PolicyRefusal | null {
  const state = policyState(op, caller.team.id);
  // A child team is held to its carved budget; a parent counts its running children's carves.
  const budget = budgetOf(op, caller.team);
  const ruling = admissionRuling(budget.profile, {
    action,
    usedTokens: budget.committedTokens,
    tasksByStatus: tasksByStatus(op, caller.team.id),
    consensusAt: state.consensus_at === null ? null : iso(state.consensus_at),
  });
  if (ruling.decision === 'allow') {
    logDecision(op, caller.team, ruling);
    return null;
  }
  return ruling;
}

/** Refuses the spawn or claim when the team's budget or early stop says no. */
export function admit(op: Op, caller: Caller, action: BudgetedAction, tool: ToolName, subjectId: string | null): void {
  const refusal = admission(op, caller, action);
  if (refusal !== null) refusePolicy(op, caller, refusal, tool, subjectId);
}

export interface UsageRow {
  seq: number;
  agent_id: string;
  task_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  charged_tokens: number;
  created_at: number;
  source: 'measured' | null;
}

export const USAGE_COLUMNS =
  'seq, agent_id, task_id, input_tokens, output_tokens, cached_input_tokens, charged_tokens, created_at, source';

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
    ...(row.source === null ? {} : { source: row.source }),
  };
}

/**
 * Whether this agent's usage is measured from its Codex rollout (recordMeasuredUsage charged it at
 * least once): then its own reports are kept but charge nothing.
 */
export function usageIsMeasured(op: Op, agentId: string): boolean {
  return op.sql.value<number>("SELECT EXISTS (SELECT 1 FROM usage_samples WHERE agent_id = ? AND source = 'measured')", agentId) === 1;
}

/**
 * Charges one usage sample: the agent's reports may charge at most so much a minute (the policy
 * engine's `usage.per_minute`, over the samples of the last USAGE_RATE_WINDOW_MS; a refusal is
 * audited as `policy.deny` and charges nothing), then the profile's budget says how many tokens and
 * why; the sample and the team's new total are written with one `usage.report` event. Finalized
 * teams are charged too: the tokens were spent. A call reporting usage runs this as its standing
 * write (see WriteOptions), so a refused report refuses the call.
 */
export function chargeUsage(op: Op, actor: Actor, reported: UsageSample, taskId: string | null, tool: ToolName): UsageRecord {
  // The tokens were spent by the caller's own thread: its own team pays, wherever the call acted.
  const caller = requireCaller(op, { ...actor, inTeam: undefined });
  const sample = UsageSampleSchema.safeParse(reported);
  if (!sample.success) {
    throw new TeamError('INVALID_INPUT', `usage is invalid: ${sample.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (taskId !== null) requireTask(op, caller.team.id, taskId);
  const recentTokens =
    op.sql.value<number>(
      'SELECT COALESCE(SUM(charged_tokens), 0) FROM usage_samples WHERE agent_id = ? AND created_at > ?',
      caller.agent.id,
      op.now - USAGE_RATE_WINDOW_MS,
    ) ?? 0;
  const rate = usageRateRuling({ recentTokens, sample: sample.data });
  if (rate.decision === 'deny') refusePolicy(op, caller, rate, tool, taskId);
  logDecision(op, caller.team, rate);
  const before = policyState(op, caller.team.id).used_tokens;
  const budget = budgetOf(op, caller.team);
  // The lines a sample crosses are the tree's: a child's carve, a parent's budget with its children's set aside.
  // An agent whose usage is measured from its Codex rollout has every response charged from there:
  // its own report is kept for the record and charges nothing, so no token is counted twice.
  const measured = usageIsMeasured(op, caller.agent.id);
  const charge = measured
    ? { tokens: 0, crossed: null, rule: 'usage.measured', inputs: {}, reason: "charged 0 tokens: this agent's usage is measured from its Codex session rollout; the report is kept, not charged" }
    : usageRuling(budget.profile, budget.committedTokens, sample.data);
  if (!Number.isSafeInteger(charge.tokens) || charge.tokens < 0 || !Number.isSafeInteger(before + charge.tokens)) {
    throw new TeamError('INVALID_INPUT', `usage of ${charge.tokens} tokens cannot be charged`, { tokens: charge.tokens });
  }
  if (charge.crossed !== null) {
    op.decided({ teamId: caller.team.id, profile: caller.team.profile, rule: charge.rule, inputs: charge.inputs, outcome: `crossed ${charge.crossed}`, reason: charge.reason });
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
    data: { usage, used_tokens: before + charge.tokens, crossed: charge.crossed },
  });
  return usage;
}

/**
 * Lead only: the team runs under another profile from the next decision on. The reason of its
 * `policy.switch` event lists the profile fields the switch changes.
 */
export function setProfile(op: Op, actor: Actor, input: SetProfileInput): ProfileSwitch {
  const caller = requireWriter(op, actor);
  requireLead(op, caller, 'team_policy', 'switch the team profile', 'set');
  const name = ProfileNameSchema.safeParse(input.profile);
  if (!name.success) {
    throw new TeamError('INVALID_INPUT', `profile ${JSON.stringify(input.profile)} ${name.error.issues[0]?.message ?? 'is invalid'}`);
  }
  const previous = caller.team.profile;
  // Resolving both profiles proves the store knows them before anything is written.
  const from = op.profileOf(previous);
  const to = op.profileOf(input.profile);
  const changes = profileChanges(from, to);
  const reason =
    changes.length === 0 ? `profile ${from.name} -> ${to.name}: no field changes` : `profile ${from.name} -> ${to.name}: ${changes.join('; ')}`;
  const changed = previous !== input.profile;
  logDecision(op, caller.team, { decision: 'allow', rule: 'policy.switch', reason, inputs: { from: from.name, to: to.name } }, changed ? 'switched' : 'unchanged');
  if (!changed) return { team: toTeam(caller.team), previous_profile: previous, changed: false, changes: [] };
  op.sql.run('UPDATE teams SET profile = ? WHERE id = ?', input.profile, caller.team.id);
  const team = toTeam(requireTeam(op, caller.team.id));
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: caller.agent.id,
    action: 'policy.switch',
    subjectId: team.id,
    reason,
    data: { team, previous_profile: previous },
  });
  return { team, previous_profile: previous, changed: true, changes };
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
