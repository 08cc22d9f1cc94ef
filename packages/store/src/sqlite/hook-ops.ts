import { TeamError, type ToolInput, type ToolName, type Task } from '@codex-team/contracts';
import {
  auditedRun,
  claimCapGates,
  combineHookRuns,
  completionGates,
  hookBlockError,
  type ClaimReview,
  type EvidenceArtifact,
  type HookOutcome,
} from '@codex-team/hooks';
import type { Actor, CallScope, HookBlock, TicketHolder } from '../team-store';
import { findTeam, requireCaller, type Caller } from './access';
import { appendAudit } from './audit';
import { AGENT_COLUMNS, TEAM_COLUMNS, teamRowAt, toAgent, toTeam, type AgentRow, type TeamRow, type TaskRow } from './row-mappers';
import { requireTask, taskEntity } from './task-rows';
import type { Op } from './transaction';

/**
 * Refuses the call with the hooks' block: logged, audited as one `hook.block` event (written once
 * the operation's own writes are rolled back, with each hook's decision, duration, exit status and
 * output digest), and thrown as HOOK_BLOCKED. A block changes nothing but that row and the call's
 * decision record.
 */
function refuseByHooks(op: Op, teamId: string, profile: string, actorAgentId: string | null, outcome: HookOutcome, tool: string, subjectId: string | null): never {
  const error = hookBlockError(outcome, subjectId);
  const rule = error.refusal?.rule ?? 'hook:none';
  op.decided({ teamId, profile, rule, inputs: { event: outcome.event, runs: outcome.runs.map(auditedRun) }, outcome: 'deny', reason: outcome.reason });
  op.onRefusal(() => appendHookBlock(op, teamId, actorAgentId, outcome, tool, subjectId));
  throw error;
}

function appendHookBlock(op: Op, teamId: string, actorAgentId: string | null, outcome: HookOutcome, tool: string, subjectId: string | null): void {
  appendAudit(op, {
    teamId,
    actorAgentId,
    action: 'hook.block',
    decision: 'deny',
    subjectId,
    reason: `${outcome.event} blocked: ${outcome.reason}`.slice(0, 2_000),
    data: { event: outcome.event, tool, rule: hookBlockError(outcome).refusal?.rule ?? null, runs: outcome.runs.map(auditedRun) },
  });
}

/** The artifacts a completion names, as its quality gates read them (the caller checked they exist in the team). */
function evidenceOf(op: Op, teamId: string, artifactIds: readonly string[]): EvidenceArtifact[] {
  return artifactIds.flatMap((id) => {
    const row = op.sql.get<{ id: string; name: string; plan: 0 | 1; tests: 0 | 1 }>(
      'SELECT id, name, plan, tests FROM artifacts WHERE id = ? AND team_id = ?',
      id,
      teamId,
    );
    return row === undefined ? [] : [{ id: row.id, name: row.name, plan: row.plan === 1, tests: row.tests === 1 }];
  });
}

/** Every agent's current vote on one claim (task and fence), in the order first cast. */
function claimReviews(op: Op, taskId: string, fence: number): ClaimReview[] {
  return op.sql
    .all<{ reviewer_agent_id: string; name: string; verdict: 'approve' | 'reject' }>(
      `SELECT r.reviewer_agent_id, a.name, r.verdict FROM task_reviews r JOIN agents a ON a.id = r.reviewer_agent_id
       WHERE r.task_id = ? AND r.fence = ? ORDER BY r.seq`,
      taskId,
      fence,
    )
    .map((row) => ({ reviewerAgentId: row.reviewer_agent_id, reviewerName: row.name, verdict: row.verdict }));
}

/**
 * The built-in quality gates of a completion (hooks' completionGates: evidence, tests, reviews by
 * the task's risk tier under the team's profile), inside the completion's transaction: they read
 * the artifacts and votes as they are at the write, so a slow hook before it never judges stale
 * state. A tier that asks for nothing reads nothing.
 */
export function requireCompletionGates(op: Op, caller: Caller, task: TaskRow, input: ToolInput<'team_task_complete'>, artifactIds: readonly string[]): void {
  if (input.outcome !== 'done') return;
  const profile = op.profileOf(caller.team.profile);
  const rule = profile.quality[task.risk];
  if (rule.required_reviews === 0 && !rule.require_evidence && !rule.require_tests) return;
  const runs = completionGates({
    profile,
    taskId: task.id,
    risk: task.risk,
    holderAgentId: caller.agent.id,
    outcome: input.outcome,
    evidence: rule.require_evidence || rule.require_tests ? evidenceOf(op, caller.team.id, artifactIds) : [],
    reviews: rule.required_reviews > 0 ? claimReviews(op, task.id, task.fence) : [],
  });
  const outcome = combineHookRuns('PreTaskComplete', runs);
  op.decided({
    teamId: caller.team.id,
    profile: caller.team.profile,
    rule: `quality.${task.risk}`,
    inputs: { task_id: task.id, runs: runs.map(auditedRun) },
    outcome: outcome.decision,
    reason: outcome.decision === 'allow' ? 'every quality gate of the tier passed' : outcome.reason,
  });
  if (outcome.decision === 'block') refuseByHooks(op, caller.team.id, caller.team.profile, caller.agent.id, outcome, 'team_task_complete', task.id);
}

/**
 * The profile's per-agent caps (claims, turns, wall time), inside a claim's transaction: past one,
 * the claim is blocked. Reads nothing when the profile sets no caps.
 */
export function requireClaimCaps(op: Op, caller: Caller, tool: 'team_task_next', taskId: string | null): void {
  const profile = op.profileOf(caller.team.profile);
  if (profile.caps === undefined) return;
  const { agent } = caller;
  const claims =
    op.sql.value<number>(
      "SELECT COUNT(*) FROM audit_events WHERE team_id = ? AND actor_agent_id = ? AND action = 'task.claim'",
      caller.team.id,
      agent.id,
    ) ?? 0;
  const turns = op.sql.value<number>('SELECT COUNT(*) FROM usage_samples WHERE agent_id = ?', agent.id) ?? 0;
  const runs = claimCapGates(profile.name, profile.caps, {
    agentName: agent.name,
    claims,
    turns,
    wallTimeMs: agent.joined_at === null ? null : op.now - agent.joined_at,
  });
  const outcome = combineHookRuns('PreTaskClaim', runs);
  op.decided({ teamId: caller.team.id, profile: profile.name, rule: 'caps', inputs: { agent_id: agent.id, runs: runs.map(auditedRun) }, outcome: outcome.decision, reason: outcome.reason || 'within every cap' });
  if (outcome.decision === 'block') refuseByHooks(op, caller.team.id, profile.name, agent.id, outcome, tool, taskId);
}

/**
 * A block by command hooks the server ran before the operation: nothing changes but the block's
 * `hook.block` event (when the call is about a team) and the call's decision record, written
 * together; always rejects with the HOOK_BLOCKED error.
 */
export function recordHookBlock(op: Op, block: HookBlock): never {
  if (block.teamId === null) throw hookBlockError(block.outcome, block.subjectId);
  const team = findTeam(op, block.teamId);
  if (team === undefined) throw new TeamError('INTERNAL', `team ${block.teamId} of a hook block does not exist`);
  refuseByHooks(op, team.id, team.profile, block.agentId, block.outcome, block.tool, block.subjectId);
}

/** A task of the caller's team as hooks see it before the operation (NOT_FOUND like every other lookup). */
export function readTask(op: Op, actor: Actor, taskId: string): Task {
  const caller = requireCaller(op, actor);
  return taskEntity(op, requireTask(op, caller.team.id, taskId));
}

/**
 * Where a call of `tool` acts and as whom, for its hooks (TeamStore.callScope); null when the tree
 * or the binding refuses it: the operation answers that refusal itself, and records and logs it,
 * so this lookup logs nothing.
 */
export function callScope(op: Op, actor: Actor, tool: ToolName): CallScope | null {
  const quiet: Op = { ...op, decided: () => undefined };
  try {
    const caller = requireCaller(quiet, actor, tool);
    return { team: toTeam(teamRowAt(caller.team, op.now)), agent: toAgent(caller.agent) };
  } catch (error) {
    if (error instanceof TeamError) return null;
    throw error;
  }
}

/** Whose ticket this is (a join or resume ticket hash), for the hooks of a call before it binds; null when nobody's. */
export function findTicketHolder(op: Op, kind: 'join' | 'resume', ticketHash: string): TicketHolder | null {
  const agent = op.sql.get<AgentRow>(
    kind === 'join'
      ? `SELECT ${AGENT_COLUMNS} FROM agents WHERE join_ticket_hash = ?`
      : `SELECT ${AGENT_COLUMNS} FROM agents WHERE resume_ticket_hash = ?`,
    ticketHash,
  );
  if (agent === undefined) return null;
  const team = op.sql.get<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = ?`, agent.team_id);
  if (team === undefined) return null;
  return { team: toTeam(teamRowAt(team, op.now)), agent: toAgent(agent) };
}
