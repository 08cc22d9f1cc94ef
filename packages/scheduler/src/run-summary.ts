import { TaskStatusSchema, type AuditEvent, type Profile, type RunSummary as RunSummaryOutput, type TaskStatus } from '@codex-team/contracts';
import { budgetState } from '@codex-team/policy-engine';
import type { TeamSnapshot } from '@codex-team/contracts';
import { criticalPath } from './critical-path';
import { budgetView, readyToFinalize } from './team-hints';

export type RunSummary = RunSummaryOutput;

/** Audit actions that record a policy decision rather than ordinary work. */
const DECISION_ACTIONS = new Set([
  'policy.switch',
  'policy.fanout',
  'policy.deny',
  'agent.idle',
  'agent.active',
  'agent.retire',
]);

/** The most recent decisions a summary lists; older ones stay in the audit trail (team_run_summary {log: "audit"}). */
export const SUMMARY_DECISIONS_MAX = 100;

function isDecision(event: AuditEvent): boolean {
  if (DECISION_ACTIONS.has(event.action)) return true;
  if (event.action === 'usage.report') return typeof event.data['crossed'] === 'string';
  if (event.action === 'message.send') return typeof event.data['consensus_at'] === 'string';
  // A finalize without an actor is the idle sweep's.
  return event.action === 'team.finalize' && event.actor_agent_id === null;
}

/**
 * How a stretch of work on a task ended; `recovered` when recovery took the claim back from a
 * holder that was gone, `open` while it is still held.
 */
export type WorkOutcome = 'done' | 'failed' | 'released' | 'cancelled' | 'recovered' | 'open';

/** One stretch of work: an agent's claim of a task until the event that ended it. */
export interface WorkInterval {
  taskId: string;
  agentId: string;
  from: number;
  to: number;
  outcome: WorkOutcome;
}

/**
 * Work intervals of each task from the audit trail: from each claim to the completion, failure,
 * release, cancellation or recovery that ended it, or to `end` (ms) while still held. Pure.
 */
export function workIntervals(events: readonly AuditEvent[], end: number): WorkInterval[] {
  const open = new Map<string, { agentId: string; from: number }>();
  const out: WorkInterval[] = [];
  const close = (taskId: string, at: number, outcome: WorkOutcome): void => {
    const started = open.get(taskId);
    if (started === undefined) return;
    open.delete(taskId);
    out.push({ taskId, agentId: started.agentId, from: started.from, to: Math.max(started.from, at), outcome });
  };
  const endings: Record<string, WorkOutcome> = {
    'task.complete': 'done',
    'task.fail': 'failed',
    'task.release': 'released',
    'task.recover': 'recovered',
  };
  for (const event of events) {
    const at = Date.parse(event.at);
    const subject = event.subject_id ?? '';
    const ending = endings[event.action];
    if (event.action === 'task.claim' && event.actor_agent_id !== null) {
      close(subject, at, 'released');
      open.set(subject, { agentId: event.actor_agent_id, from: at });
    } else if (ending !== undefined) {
      close(subject, at, ending);
    } else if (event.action === 'team.finalize') {
      for (const row of (event.data['cancelled_tasks'] as { id: string }[] | undefined) ?? []) close(row.id, at, 'cancelled');
    }
  }
  for (const taskId of [...open.keys()]) close(taskId, end, 'open');
  return out;
}

/**
 * The run summary of a team from its snapshot and audit trail, at `now` (ms) while it is active.
 * Pure. Durations are measured from claims to the completion, failure, release or cancellation
 * that ended them; the critical path is the dependency chain with the most measured work.
 */
export function runSummary(snapshot: TeamSnapshot, events: readonly AuditEvent[], profile: Profile, now: number): RunSummary {
  const { team } = snapshot;
  const end = team.finalized_at === null ? now : Date.parse(team.finalized_at);
  const counts = Object.fromEntries(TaskStatusSchema.options.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const task of snapshot.tasks) counts[task.status] += 1;

  const intervals = workIntervals(events, end);
  const busy = new Map<string, number>();
  for (const span of intervals) busy.set(span.agentId, (busy.get(span.agentId) ?? 0) + span.to - span.from);
  const tokens = new Map<string, number>();
  for (const sample of snapshot.usage) tokens.set(sample.agent_id, (tokens.get(sample.agent_id) ?? 0) + sample.charged_tokens);
  const owned = (agentId: string, status: TaskStatus): number =>
    snapshot.tasks.filter((task) => task.owner_agent_id === agentId && task.status === status).length;

  const agents = snapshot.agents.map((agent) => ({
    agent_id: agent.id,
    name: agent.name,
    role: agent.role,
    state: agent.state,
    tasks_done: owned(agent.id, 'done'),
    tasks_failed: owned(agent.id, 'failed'),
    tasks_held: owned(agent.id, 'in_progress'),
    tokens: tokens.get(agent.id) ?? 0,
    busy_ms: busy.get(agent.id) ?? 0,
  }));
  const roles = new Map<string, RunSummary['roles'][number]>();
  for (const agent of agents) {
    const role = roles.get(agent.role) ?? { role: agent.role, agents: 0, tasks_done: 0, tasks_failed: 0, tokens: 0 };
    role.agents += 1;
    role.tasks_done += agent.tasks_done;
    role.tasks_failed += agent.tasks_failed;
    role.tokens += agent.tokens;
    roles.set(agent.role, role);
  }

  // The last claim of a task is the attempt that finished it.
  const lastSpan = new Map<string, number>();
  for (const span of intervals) lastSpan.set(span.taskId, span.to - span.from);
  const finished = snapshot.tasks.filter((task) => task.status === 'done' || task.status === 'failed');
  const durations = finished.map((task) => lastSpan.get(task.id) ?? 0);
  const total = durations.reduce((a, b) => a + b, 0);
  const path = criticalPath(
    snapshot.tasks.map((task) => ({ id: task.id, depends_on: task.depends_on, duration: lastSpan.get(task.id) ?? 0 })),
  );

  return {
    team,
    elapsed_ms: Math.max(0, end - Date.parse(team.created_at)),
    tasks_by_status: counts,
    ready_to_finalize: readyToFinalize(snapshot, profile),
    agents,
    roles: [...roles.values()].sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0)),
    usage: { samples: snapshot.usage.length, budget: budgetView(budgetState(profile, snapshot.used_tokens)) },
    task_durations: {
      count: durations.length,
      total_ms: total,
      mean_ms: durations.length === 0 ? 0 : Math.round(total / durations.length),
      max_ms: durations.reduce((a, b) => Math.max(a, b), 0),
    },
    critical_path: path.duration === 0 ? { task_ids: [], duration_ms: 0 } : { task_ids: path.path, duration_ms: path.duration },
    decisions: events
      .filter(isDecision)
      .slice(-SUMMARY_DECISIONS_MAX)
      .map((event) => ({ seq: event.seq, at: event.at, action: event.action, decision: event.decision, reason: event.reason })),
  };
}
