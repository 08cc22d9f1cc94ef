import { LIMITS, type AuthzDecision, type TeamError } from '@codex-team/contracts';
import { redactSecrets } from '@codex-team/policy-engine';
import type { AuthzDecisionInput, AuthzDecisionQuery, CallAuthorization } from '../team-store';
import { iso, parseIdList } from './row-mappers';
import type { Op } from './transaction';

interface DecisionRow {
  seq: number;
  at: number;
  team_id: string | null;
  agent_id: string | null;
  role: string | null;
  tool: string;
  action: string;
  profile: string | null;
  rule: string;
  matched: string;
  decision: 'allow' | 'deny';
  reason: string;
  step: AuthzDecision['step'];
  outcome: string;
  audit_first_seq: number | null;
  audit_last_seq: number | null;
}

const DECISION_COLUMNS =
  'seq, at, team_id, agent_id, role, tool, action, profile, rule, matched, decision, reason, step, outcome, ' +
  'audit_first_seq, audit_last_seq';

// The tool name comes from the caller and may be anything for an unknown tool.
const TOOL_MAX_CHARS = 64;

/** Inserts one decision row; `at` is the time of the call when it was queued (DecisionQueue). */
export function insertDecision(op: Op, input: AuthzDecisionInput, auditSeqs: readonly number[], at = op.now): number {
  const { lastInsertRowid } = op.sql.run(
    `INSERT INTO authz_decisions
       (at, team_id, agent_id, role, tool, action, profile, rule, matched, decision, reason, step, outcome,
        audit_first_seq, audit_last_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    at,
    input.teamId,
    input.agentId,
    input.role,
    input.tool.slice(0, TOOL_MAX_CHARS),
    input.action,
    input.profile,
    input.rule,
    JSON.stringify([...input.matched]),
    input.decision,
    input.reason.slice(0, LIMITS.reasonMaxChars),
    input.step,
    input.outcome,
    auditSeqs[0] ?? null,
    auditSeqs[auditSeqs.length - 1] ?? null,
  );
  return Number(lastInsertRowid);
}

/**
 * Records the decision of the call this write transaction carries out, as its last write, with the
 * call's real outcome and the seqs of the audit events it appended. A refusal by a rule the
 * authorization steps could not apply (the kind of task claimed, a ticket, the team tree) turns the
 * allow into that rule's deny, as does a block by hooks or a quality gate (step `hook`); any other
 * refusal keeps the allow, with the refusal's code as outcome. The deny's reason is masked whatever
 * the team's profile, like every reason the server records: a refusal may quote what the caller sent.
 */
export function recordCallDecision(op: Op, authorization: CallAuthorization, refused: TeamError | null): void {
  const base = authorization.decision;
  const subject = op.subject;
  let decision: AuthzDecisionInput = {
    ...base,
    teamId: base.teamId ?? subject?.teamId ?? null,
    agentId: base.agentId ?? subject?.agentId ?? null,
    role: base.role ?? subject?.role ?? null,
    outcome: refused === null ? 'ok' : refused.code,
  };
  const refusal = refused?.refusal ?? null;
  if (refused !== null && refusal !== null && (refusal.kind === 'permission' || refusal.kind === 'identity' || refusal.kind === 'scope' || refusal.kind === 'hook')) {
    decision = {
      ...decision,
      decision: 'deny',
      rule: refusal.rule,
      reason: redactSecrets(refused.reason).text,
      matched: [...(refusal.matched ?? [])],
      ...(refusal.kind === 'permission' ? { step: 'permission' as const, action: refusal.action ?? decision.action } : {}),
      ...(refusal.kind === 'scope' ? { step: 'scope' as const } : {}),
      ...(refusal.kind === 'hook' ? { step: 'hook' as const } : {}),
    };
  }
  const seq = insertDecision(op, decision, op.auditSeqs);
  op.afterCommit(() => {
    authorization.recorded = { seq, decision };
  });
}

/** Records a decision on its own (reads, refusals, failed calls) and returns it. */
export function recordDecision(op: Op, input: AuthzDecisionInput): AuthzDecision {
  const seq = insertDecision(op, input, []);
  // Built from what was inserted rather than read back: this runs once for every read and refusal.
  return toAuthzDecision({
    seq,
    at: op.now,
    team_id: input.teamId,
    agent_id: input.agentId,
    role: input.role,
    tool: input.tool.slice(0, TOOL_MAX_CHARS),
    action: input.action,
    profile: input.profile,
    rule: input.rule,
    matched: JSON.stringify([...input.matched]),
    decision: input.decision,
    reason: input.reason.slice(0, LIMITS.reasonMaxChars),
    step: input.step,
    outcome: input.outcome,
    audit_first_seq: null,
    audit_last_seq: null,
  });
}

const DECISION_PAGE_DEFAULT = 1_000;
const DECISION_PAGE_MAX = 10_000;

export function listDecisions(op: Op, query: AuthzDecisionQuery): AuthzDecision[] {
  const limit = Math.min(Math.max(1, query.limit ?? DECISION_PAGE_DEFAULT), DECISION_PAGE_MAX);
  return op.sql
    .all<DecisionRow>(
      `SELECT ${DECISION_COLUMNS} FROM authz_decisions
       WHERE team_id IS @team AND seq > @after ORDER BY seq LIMIT @limit`,
      { team: query.teamId, after: query.afterSeq ?? 0, limit },
    )
    .map(toAuthzDecision);
}

function toAuthzDecision(row: DecisionRow): AuthzDecision {
  return {
    seq: row.seq,
    at: iso(row.at),
    team_id: row.team_id,
    agent_id: row.agent_id,
    role: row.role,
    tool: row.tool,
    action: row.action,
    profile: row.profile,
    rule: row.rule,
    matched: parseIdList(row.matched),
    decision: row.decision,
    reason: row.reason,
    step: row.step,
    outcome: row.outcome,
    audit_seqs:
      row.audit_first_seq === null || row.audit_last_seq === null ? null : { first: row.audit_first_seq, last: row.audit_last_seq },
  };
}
