import { TeamError } from '@codex-team/contracts';
import type { IdleAgentFacts } from '../team-policy';
import type { SweepResult } from '../team-store';
import { findTeam } from './access';
import { appendAudit } from './audit';
import { AGENT_COLUMNS, iso, toAgent, toTeam, type AgentRow } from './row-mappers';
import { closeTeam } from './team-ops';
import type { Op } from './transaction';

type SweptAgentRow = AgentRow & { idle_since: number | null };

/** The time of the latest event `agentId` caused in the team, if any. */
function lastEventAt(op: Op, teamId: string, agentId: string): number | undefined {
  return op.sql.value<number>(
    'SELECT at FROM audit_events WHERE team_id = ? AND actor_agent_id = ? ORDER BY seq DESC LIMIT 1',
    teamId,
    agentId,
  );
}

function reload(op: Op, agentId: string): SweptAgentRow {
  const row = op.sql.get<SweptAgentRow>(`SELECT ${AGENT_COLUMNS}, idle_since FROM agents WHERE id = ?`, agentId);
  if (row === undefined) throw new TeamError('INTERNAL', `agent ${agentId} vanished inside a transaction`);
  return row;
}

/**
 * One idle sweep of a team, inside one transaction so nothing the facts show can change before the
 * plan is applied. Activity is what the store can prove: joins, last_seen_at (heartbeats) and the
 * state changes an agent made; the sweep's own events (actor null) are not activity. The lead is
 * never swept. Each mark, clear or retirement is one event, and so is a finalize.
 */
export function sweepIdle(op: Op, teamId: string): SweepResult {
  const teamRow = findTeam(op, teamId);
  if (teamRow === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`);
  const result: SweepResult = { agents: [], finalized: false };
  if (teamRow.state === 'finalized') return result;

  const rows = op.sql.all<SweptAgentRow>(
    `SELECT ${AGENT_COLUMNS}, idle_since FROM agents WHERE team_id = ? AND id <> ? AND state <> 'retired' ORDER BY seq`,
    teamId,
    teamRow.lead_agent_id,
  );
  const agents: IdleAgentFacts[] = rows.map((row) => ({
    agent: toAgent(row),
    lastActivityAt: Math.max(row.created_at, row.joined_at ?? 0, row.last_seen_at ?? 0, lastEventAt(op, teamId, row.id) ?? 0),
    idleSince: row.idle_since,
  }));
  const lastByAgent =
    op.sql.value<number>(
      'SELECT at FROM audit_events WHERE team_id = ? AND actor_agent_id IS NOT NULL ORDER BY seq DESC LIMIT 1',
      teamId,
    ) ?? teamRow.created_at;
  const lastSeen = op.sql.value<number>('SELECT MAX(last_seen_at) FROM agents WHERE team_id = ?', teamId) ?? 0;
  const plan = op.policy.sweep({
    team: toTeam(teamRow),
    now: op.now,
    lastActivityAt: Math.max(lastByAgent, lastSeen, teamRow.created_at),
    agents,
  });

  const swept = new Map(rows.map((row) => [row.id, row]));
  for (const step of plan.agents) {
    const row = swept.get(step.agentId);
    // The plan may only name teammates of this sweep, once each.
    if (row === undefined) throw new TeamError('INTERNAL', `the idle plan names ${step.agentId}, not a swept teammate`);
    swept.delete(step.agentId);
    if (step.action === 'idle' && row.idle_since !== null) continue;
    if (step.action === 'active' && row.idle_since === null) continue;
    if (step.action === 'retire') {
      // An invited agent that never joined loses its join ticket with its slot.
      op.sql.run(
        "UPDATE agents SET state = 'retired', join_ticket_hash = NULL, idle_since = coalesce(idle_since, ?) WHERE id = ?",
        op.now,
        row.id,
      );
    } else {
      op.sql.run('UPDATE agents SET idle_since = ? WHERE id = ?', step.action === 'idle' ? op.now : null, row.id);
    }
    const after = reload(op, row.id);
    appendAudit(op, {
      teamId,
      actorAgentId: null,
      action: step.action === 'idle' ? 'agent.idle' : step.action === 'active' ? 'agent.active' : 'agent.retire',
      subjectId: row.id,
      reason: `${step.rule}: ${step.reason}`,
      data: { agent: toAgent(after), idle_since: after.idle_since === null ? null : iso(after.idle_since) },
    });
    result.agents.push({ agent_id: row.id, action: step.action, reason: step.reason });
  }
  if (plan.finalizeTeam !== null) {
    const { rule, reason } = plan.finalizeTeam;
    closeTeam(op, teamId, null, `finalized by the idle sweep: ${reason}`, (cancelled) =>
      `${rule}: ${reason}; ${cancelled} unfinished tasks cancelled`,
    );
    result.finalized = true;
  }
  return result;
}
