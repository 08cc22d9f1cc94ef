import { TeamError, type Message } from '@codex-team/contracts';
import { treeThreadCap } from '@codex-team/hierarchy';
import { describeRole, threadCapOf } from '@codex-team/policy-engine';
import {
  decideRebalance,
  type RebalanceAgent,
  type RebalanceDecision,
  type RebalanceInput,
  type RebalanceSettings,
  type RebalanceTask,
} from '@codex-team/scheduler';
import type { RebalanceOptions, RebalanceOutcome } from '../team-store';
import { findTeam, treeThreadsOf } from './access';
import { appendAudit } from './audit';
import { insertNotice } from './message-ops';
import { AGENT_COLUMNS, iso, toAgent, type AgentRow, type TeamRow } from './row-mappers';
import { learnedDurations, schedulingTasks } from './scheduling-facts';
import { budgetOf } from './tree-rows';
import type { Op } from './transaction';

/** The audit action of a recorded rebalancing decision (a decision record: it changes no row). */
export const REBALANCE_ACTION = 'rebalance.decide' as const;

/** What a recorded decision event carries, besides the decision itself. */
interface RecordedDecision {
  seq: number;
  at: number;
  decision: RebalanceDecision;
  /** When its spawn and retire directives (its key) were first decided: now, or an earlier event's. */
  directivesSince: number;
}

/**
 * The seq of the team's latest audit event other than a rebalancing record or a message
 * (RecoveryTeamView.stateHead): every change of what a decision reads moves it, recording one does
 * not. Read from the newest event back (usually the first row answers).
 */
export function teamStateHead(op: Op, teamId: string): number {
  return (
    op.sql.value<number>(
      "SELECT seq FROM audit_events WHERE team_id = ? AND action NOT IN ('rebalance.decide', 'message.send') ORDER BY seq DESC LIMIT 1",
      teamId,
    ) ?? 0
  );
}

/** The team's latest recorded rebalancing decision, or null (none yet, or a record it cannot read). */
export function lastRecordedDecision(op: Op, teamId: string): RecordedDecision | null {
  const row = op.sql.get<{ seq: number; at: number; data: string }>(
    'SELECT seq, at, data FROM audit_events WHERE team_id = ? AND action = ? ORDER BY seq DESC LIMIT 1',
    teamId,
    REBALANCE_ACTION,
  );
  if (row === undefined) return null;
  const data = JSON.parse(row.data) as { decision?: RebalanceDecision; directives_since?: number };
  const decision = data.decision;
  if (decision === undefined || typeof decision.key !== 'string' || !Array.isArray(decision.retire_candidates)) return null;
  return { seq: row.seq, at: row.at, decision, directivesSince: data.directives_since ?? row.at };
}

/** The latest time one of these actions of the agent was recorded, or null. */
function lastActionAt(op: Op, teamId: string, agentId: string, actions: string): number | null {
  return (
    op.sql.value<number | null>(
      `SELECT MAX(at) FROM audit_events WHERE team_id = ? AND actor_agent_id = ? AND action IN (SELECT value FROM json_each(?))`,
      teamId,
      agentId,
      actions,
    ) ?? null
  );
}

// An agent is free of work from its (re)binding, a completion, a failure or a release of its own.
const FREED_BY = JSON.stringify(['agent.join', 'agent.resume', 'task.complete', 'task.fail', 'task.release']);

/** claimLostAt's statement; PostgreSQL's twin is keyed by this text (pg-statements.ts). */
export const CLAIM_LOST_AT_SQL = `SELECT MAX(at) FROM audit_events
       WHERE team_id = ? AND action = 'task.recover' AND json_extract(data, '$.taken_from.agent_id') = ?`;

/**
 * When recovery last took a claim back from the agent (a `task.recover` event naming it as the
 * holder taken from: its lease passed, or its session ended and the grace period passed); null if never.
 */
function claimLostAt(op: Op, teamId: string, agentId: string): number | null {
  return (
    op.sql.value<number | null>(
      CLAIM_LOST_AT_SQL,
      teamId,
      agentId,
    ) ?? null
  );
}

/**
 * A slot holder as the controller sees it, derived from its row, its tasks and its audit events
 * (no state of its own): `starting` while invited; `busy` since it claimed what it holds; `idle`
 * since the latest of its binding, its last completion, failure or release, and the moment recovery
 * took a claim back from it.
 */
export function rebalanceAgent(op: Op, row: AgentRow): RebalanceAgent {
  const heldSince = op.sql.value<number | null>(
    "SELECT MIN(coalesce(claimed_at, updated_at)) FROM tasks WHERE team_id = ? AND owner_agent_id = ? AND status = 'in_progress'",
    row.team_id,
    row.id,
  );
  const done = op.sql.get<{ n: number; busy: number | null }>(
    `SELECT COUNT(*) AS n, SUM(CASE WHEN completed_at > claimed_at THEN completed_at - claimed_at ELSE 0 END) AS busy FROM tasks
     WHERE team_id = ? AND owner_agent_id = ? AND status = 'done'`,
    row.team_id,
    row.id,
  );
  const lost = claimLostAt(op, row.team_id, row.id);
  const base = {
    id: row.id,
    role: row.role,
    last_seen_ms: row.last_seen_at ?? row.created_at,
    takes_unassigned: describeRole(row.role).claims_implementation_work,
    tasks_done: done?.n ?? 0,
    busy_ms: done?.busy ?? 0,
    claim_lost_at_ms: lost,
  };
  if (row.state === 'invited') return { ...base, state: 'starting', since_ms: row.created_at };
  if (heldSince !== null && heldSince !== undefined) return { ...base, state: 'busy', since_ms: heldSince };
  const freed = lastActionAt(op, row.team_id, row.id, FREED_BY) ?? row.joined_at ?? row.created_at;
  return { ...base, state: 'idle', since_ms: Math.max(freed, lost ?? 0) };
}

/** Slot holders of the team (invited and active teammates, the lead excluded), in creation order. */
function slotHolders(op: Op, team: TeamRow): AgentRow[] {
  return op.sql.all<AgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents WHERE team_id = ? AND id <> ? AND state IN ('invited', 'active') ORDER BY seq`,
    team.id,
    team.lead_agent_id,
  );
}

/**
 * The measured burn: tokens charged so far per ms of teammate slot time so far (a slot holder's
 * from its spawn to now; a former one's from its spawn to when it was last seen), with that slot
 * time. The rate is null before it can be measured.
 */
function burnOf(op: Op, team: TeamRow, usedTokens: number): Omit<RebalanceInput['budget'], 'used_tokens'> {
  const slotMs =
    op.sql.value<number>(
      `SELECT SUM(CASE WHEN state IN ('invited', 'active') THEN @now WHEN last_seen_at > created_at THEN last_seen_at ELSE created_at END - created_at)
       FROM agents WHERE team_id = @team AND id <> @lead`,
      { now: op.now, team: team.id, lead: team.lead_agent_id },
    ) ?? 0;
  return { tokens_per_agent_ms: usedTokens > 0 && slotMs > 0 ? usedTokens / slotMs : null, slot_ms: slotMs };
}

/**
 * Everything one rebalancing decision of the team reads, at the operation's time: the DAG with
 * claim times and estimates, durations learned from done tasks, the slot holders, the budget and
 * its burn, the caps, and the previous recorded decision (the hysteresis). Derived from rows and
 * events the store keeps anyway. The team is one of a tree like any other: its budget is the one
 * it is held to (a child's carve, less what its own children hold), and its thread cap is what
 * its tree leaves it (hierarchy's treeThreadCap, as its lead's hints and threadSlotRuling count).
 */
export function rebalanceInput(op: Op, team: TeamRow, settings: Partial<RebalanceSettings> = {}): RebalanceInput {
  const budget = budgetOf(op, team);
  const ownTokens = op.sql.value<number>('SELECT used_tokens FROM teams WHERE id = ?', team.id) ?? 0;
  const tasks: RebalanceTask[] = schedulingTasks(op, team.id);
  const own = threadCapOf(budget.profile, team.max_threads, op.codexThreadCap).cap;
  const tree = treeThreadCap(treeThreadsOf(op, team), op.codexThreadCap);
  return {
    now_ms: op.now,
    profile: budget.profile,
    max_threads: team.max_threads,
    thread_cap: Math.min(own, tree?.teammates ?? own),
    tasks,
    agents: slotHolders(op, team).map((row) => rebalanceAgent(op, row)),
    durations: learnedDurations(op, team.id),
    budget: { used_tokens: budget.committedTokens, ...burnOf(op, team, ownTokens) },
    previous: lastRecordedDecision(op, team.id)?.decision ?? null,
    settings,
  };
}

/** The hysteresis state of a decision in a comparable form. */
function candidatesKey(decision: RebalanceDecision): string {
  return JSON.stringify(decision.retire_candidates.map((c) => [c.agent_id, c.rule, c.since_ms]).sort());
}

/**
 * Whether a decision is worth a record: its directives (key) or its hysteresis state differ from the
 * previous record's. A first decision with nothing to say is not recorded.
 */
export function decisionChanged(decision: RebalanceDecision, previous: RebalanceDecision | null): boolean {
  if (previous === null) return decision.spawn.length + decision.retire.length + decision.retire_candidates.length > 0;
  return decision.key !== previous.key || candidatesKey(decision) !== candidatesKey(previous);
}

/**
 * What a decision was taken on: the team's state head and the decision on record then. A write
 * that finds both unchanged records the decision its read took (the same facts a few ms later,
 * only the clock moved) instead of reading the whole DAG again under the write lock.
 */
export interface DecisionBasis {
  stateHead: number;
  recordedSeq: number | null;
  decision: RebalanceDecision;
}

/** The decision of the team now, a pure function of its facts (scheduler's decideRebalance), or `seen`'s when its basis still holds. */
function decideFor(
  op: Op,
  team: TeamRow,
  settings: Partial<RebalanceSettings>,
  seen: DecisionBasis | undefined,
): { decision: RebalanceDecision; previous: RecordedDecision | null; basis: DecisionBasis } {
  const previous = lastRecordedDecision(op, team.id);
  const stateHead = teamStateHead(op, team.id);
  const recordedSeq = previous?.seq ?? null;
  const same = seen !== undefined && seen.stateHead === stateHead && seen.recordedSeq === recordedSeq;
  const decision = same ? seen.decision : decideRebalance(rebalanceInput(op, team, settings));
  return { decision, previous, basis: { stateHead, recordedSeq, decision } };
}

function directiveLines(decision: RebalanceDecision): string[] {
  return [
    ...decision.spawn.map((s) => `- spawn ${s.count} ${s.role} (${s.rule}): ${s.reason}`),
    ...decision.retire.map((r) =>
      r.rule === 'rebalance.retire.silent'
        ? `- close ${r.agent_id} (${r.role}) with close_agent (${r.rule}): ${r.reason}`
        : `- retire ${r.agent_id} (${r.role}) (${r.rule}): ${r.reason}. It is told so by its next team_task_next; if it has ended its turn, wake it or close it (close_agent)`,
    ),
  ];
}

/** The lead's notice of changed directives: one message, what to do and why. */
function noticeBody(decision: RebalanceDecision): string {
  return ['codex-team rebalancing, new directives (team_status hints.rebalance shows those in force):', ...directiveLines(decision)].join('\n');
}

/** One log line per directive and per agent on notice, each with its rule; one line when there is neither. */
function logDecision(op: Op, team: TeamRow, decision: RebalanceDecision, recorded: boolean): void {
  const inputs = { cap: decision.cap, ceiling: decision.ceiling, ...decision.facts, recorded };
  const log = (rule: string, outcome: string, reason: string): void => op.decided({ teamId: team.id, profile: team.profile, rule, inputs, outcome, reason });
  for (const s of decision.spawn) log(s.rule, `spawn ${s.count} ${s.role}`, s.reason);
  for (const r of decision.retire) log(r.rule, `retire ${r.agent_id}`, r.reason);
  for (const c of decision.retire_candidates) log(c.rule, `${c.agent_id} on notice until ${iso(c.retire_at_ms)}`, 'an idle surplus, retired if it stays one');
  if (decision.spawn.length + decision.retire.length + decision.retire_candidates.length === 0) {
    log(REBALANCE_ACTION, 'no directives', decision.reasons.join('; '));
  }
}

/**
 * Decides the team's rebalancing now and records the decision when it changed (decisionChanged):
 * one `rebalance.decide` event carrying the decision (its directives with their rules and reasons,
 * what it read, the hysteresis state), and, with `notify`, one inbox notice to the lead when the
 * directives themselves changed and say something. A decision equal to the last record writes
 * nothing. The decision is logged either way. NOT_FOUND for an unknown team; a finalized team is
 * not rebalanced (its decision has no directives and is not recorded).
 */
export function rebalanceTeam(op: Op, teamId: string, options: RebalanceOptions, seen?: DecisionBasis): RebalanceOutcome & { basis: DecisionBasis } {
  const team = findTeam(op, teamId);
  if (team === undefined) throw new TeamError('NOT_FOUND', `no team ${teamId}`, { team_id: teamId });
  const { decision, previous, basis } = decideFor(op, team, options.settings ?? {}, seen);
  const active = team.state === 'active';
  const changed = active && decisionChanged(decision, previous?.decision ?? null);
  const directivesChanged = changed && decision.key !== previous?.decision.key;
  const record = changed && op.writable;
  // A read that finds a change leaves the decision to the write that follows, which logs it.
  if (!changed || record) logDecision(op, team, decision, record);
  if (!record) {
    return { decision, recorded: false, changed, decided_at: previous?.at ?? null, directives_since: previous?.directivesSince ?? null, notice: null, basis };
  }
  const directivesSince = directivesChanged || previous === null ? op.now : previous.directivesSince;
  const summary = directiveLines(decision).map((line) => line.slice(2, 200));
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: options.actorAgentId ?? null,
    action: REBALANCE_ACTION,
    subjectId: null,
    reason: summary.length === 0 ? 'no directives' : summary.join('; '),
    data: { decision, directives_since: directivesSince, notified: options.notify && directivesChanged && summary.length > 0 },
  });
  let notice: Message | null = null;
  if (options.notify && directivesChanged && summary.length > 0) {
    notice = insertNotice(op, team.id, team.lead_agent_id, noticeBody(decision), `rebalancing notice to the lead: ${summary.length} directive(s)`);
  }
  return { decision, recorded: true, changed, decided_at: op.now, directives_since: directivesSince, notice, basis };
}

/**
 * retireOrderFor's read, on every team_task_next: the latest decision's seq, time and retire
 * directives only, not the whole decision (23 KB at 1,000 tasks, parsed per claim before).
 * PostgreSQL's twin is keyed by this text (pg-statements.ts).
 */
export const LATEST_RETIRES_SQL = `SELECT seq, json_extract(data, '$.decision.at_ms') AS at_ms, json_extract(data, '$.decision.retire') AS retire
       FROM audit_events WHERE team_id = ? AND action = ? ORDER BY seq DESC LIMIT 1`;

/** What a retire directive of the latest decision says to one agent, if it still applies to it. */
export interface RetireOrder {
  rule: string;
  reason: string;
  decisionSeq: number;
}

/**
 * The retire directive of the team's latest recorded decision for this agent, if there is one and
 * the agent is still as the decision saw it (compare-and-set): idle since the same moment, holding
 * nothing. Silent retires are the lead's to carry out (close_agent), never answered here.
 */
export function retireOrderFor(op: Op, row: AgentRow): RetireOrder | null {
  if (row.state !== 'active') return null;
  const last = op.sql.get<{ seq: number; at_ms: number | null; retire: string | null }>(LATEST_RETIRES_SQL, row.team_id, REBALANCE_ACTION);
  if (last === undefined || last.at_ms === null || last.retire === null) return null;
  const retire = JSON.parse(last.retire) as RebalanceDecision['retire'];
  const directive = Array.isArray(retire) ? retire.find((r) => r.agent_id === row.id && r.rule !== 'rebalance.retire.silent') : undefined;
  if (directive === undefined) return null;
  const now = rebalanceAgent(op, row);
  if (now.state !== 'idle' || now.since_ms !== last.at_ms - directive.idle_ms) return null;
  return { rule: directive.rule, reason: directive.reason, decisionSeq: last.seq };
}

/** Retires the agent as `order` says: its slot frees at once; one `agent.retire` event, the agent as actor. */
export function retireByOrder(op: Op, row: AgentRow, order: RetireOrder, team: TeamRow): void {
  op.sql.run(
    "UPDATE agents SET state = 'retired', join_ticket_hash = NULL, idle_since = coalesce(idle_since, ?) WHERE id = ? AND state = 'active'",
    op.now,
    row.id,
  );
  const after = op.sql.get<AgentRow & { idle_since: number | null }>(`SELECT ${AGENT_COLUMNS}, idle_since FROM agents WHERE id = ?`, row.id);
  if (after === undefined) throw new TeamError('INTERNAL', `agent ${row.id} vanished inside a transaction`);
  appendAudit(op, {
    teamId: row.team_id,
    actorAgentId: row.id,
    action: 'agent.retire',
    subjectId: row.id,
    reason: `${order.rule}: ${order.reason}`,
    data: { agent: toAgent(after), idle_since: after.idle_since === null ? null : iso(after.idle_since), decision_seq: order.decisionSeq, rule: order.rule },
  });
  op.decided({ teamId: team.id, profile: team.profile, rule: order.rule, inputs: { agent_id: row.id, decision_seq: order.decisionSeq }, outcome: 'retired', reason: order.reason });
}
