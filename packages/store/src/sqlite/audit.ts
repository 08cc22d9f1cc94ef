import type { AuditEvent, Decision } from '@codex-team/contracts';
import type { AuditQuery } from '../team-store';
import { toAuditEvent, type AuditRow } from './row-mappers';
import type { Op } from './transaction';

/**
 * Every action the adapter records, one per kind of state change. Unblocking dependants and the
 * cancellations of a forced finalize are part of the completing / finalizing event, not events of
 * their own: one call is one state change is one event.
 */
export type AuditAction =
  | 'team.start'
  | 'team.finalize'
  | 'team.checkpoint'
  | 'agent.spawn'
  | 'agent.join'
  | 'agent.resume'
  | 'agent.disconnect'
  | 'agent.heartbeat'
  | 'agent.lost'
  | 'agent.restart'
  | 'task.create'
  | 'task.claim'
  | 'task.progress'
  | 'task.edit'
  | 'task.cancel'
  | 'task.complete'
  | 'task.fail'
  | 'task.release'
  | 'task.renew'
  | 'task.recover'
  | 'message.send'
  | 'message.ack'
  | 'artifact.publish'
  | 'usage.report'
  | 'usage.measure'
  | 'policy.switch'
  | 'policy.fanout'
  | 'policy.deny'
  | 'agent.idle'
  | 'agent.active'
  | 'agent.retire'
  | 'mode.set'
  | 'mode.expire'
  | 'plan.submit'
  | 'plan.approve'
  | 'plan.reject'
  | 'team.delegate'
  | 'team.rollup'
  | 'agent.takeover'
  | 'task.review'
  | 'hook.block';

export interface AuditEntry {
  teamId: string;
  actorAgentId: string | null;
  action: AuditAction;
  subjectId: string | null;
  reason: string;
  /** The changed rows as they are after the change (never ticket hashes or artifact content). */
  data: Record<string, unknown>;
  /** `deny` only for audited refusals (policy.deny, hook.block), which change nothing else. @default 'allow' */
  decision?: Decision;
}

/** Appends the one audit event of a state change, inside that change's transaction. */
export function appendAudit(op: Op, entry: AuditEntry): void {
  const { lastInsertRowid } = op.sql.run(
    `INSERT INTO audit_events (team_id, at, actor_agent_id, actor_kind, action, subject_id, decision, reason, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    entry.teamId,
    op.now,
    entry.actorAgentId,
    op.byOperator ? 'operator' : null,
    entry.action,
    entry.subjectId,
    entry.decision ?? 'allow',
    entry.reason,
    JSON.stringify(entry.data),
  );
  op.auditSeqs.push(Number(lastInsertRowid));
}

/** Default page of listAuditEvents; callers page on with `afterSeq`. */
export const AUDIT_PAGE_DEFAULT = 1_000;
const AUDIT_PAGE_MAX = 10_000;

export function listAudit(op: Op, teamId: string, query: AuditQuery): AuditEvent[] {
  const limit = Math.min(Math.max(1, query.limit ?? AUDIT_PAGE_DEFAULT), AUDIT_PAGE_MAX);
  return op.sql
    .all<AuditRow>(
      `SELECT seq, team_id, at, actor_agent_id, actor_kind, action, subject_id, decision, reason, data
       FROM audit_events WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      teamId,
      query.afterSeq ?? 0,
      limit,
    )
    .map(toAuditEvent);
}
