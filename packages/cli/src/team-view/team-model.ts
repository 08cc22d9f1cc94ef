import { TaskStatusSchema, type Agent, type AuditEvent, type Task, type TaskStatus } from '@codex-team/contracts';
import { budgetState, redactDeep } from '@codex-team/policy-engine';
import { budgetView, readyToFinalize, remainingCriticalPath, teamHints, type BudgetView, type ReadyToFinalize, type StaffingHintsView } from '@codex-team/scheduler';
import type { TeamView } from './team-source';

/** What `codex-team status` shows, as JSON and as text. */
export interface StatusModel {
  team: TeamView['snapshot']['team'];
  agents: (Agent & { idle_since: string | null; holding: string[] })[];
  tasks_by_status: Record<TaskStatus, number>;
  ready_to_finalize: ReadyToFinalize | null;
  budget: BudgetView | null;
  hints: StaffingHintsView | null;
  /** The longest chain of unfinished tasks, one unit per task. */
  remaining_critical_path: string[];
  consensus_at: string | null;
  /** Set when this machine has no profile of the team's name: policy views are unavailable. */
  profile_missing: string | null;
}

export function countByStatus(tasks: readonly Task[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TaskStatusSchema.options.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const task of tasks) counts[task.status] += 1;
  return counts;
}

export function statusModel(view: TeamView): StatusModel {
  const { snapshot, profile } = view;
  const holding = new Map<string, string[]>();
  for (const task of snapshot.tasks) {
    if (task.status === 'in_progress' && task.owner_agent_id !== null) {
      holding.set(task.owner_agent_id, [...(holding.get(task.owner_agent_id) ?? []), task.id]);
    }
  }
  const active = snapshot.team.state === 'active';
  return {
    team: snapshot.team,
    agents: snapshot.agents.map((agent) => ({ ...agent, idle_since: snapshot.idle_since[agent.id] ?? null, holding: holding.get(agent.id) ?? [] })),
    tasks_by_status: countByStatus(snapshot.tasks),
    ready_to_finalize: profile === null ? null : active ? readyToFinalize(snapshot, profile) : { ready: false, reason: 'the team is finalized' },
    budget: profile === null ? null : budgetView(budgetState(profile, snapshot.used_tokens)),
    hints: profile === null || !active ? null : teamHints(snapshot, profile),
    remaining_critical_path: remainingCriticalPath(snapshot.tasks).path,
    consensus_at: snapshot.consensus_at,
    profile_missing: profile === null ? snapshot.team.profile : null,
  };
}

/** Audit events safe to print: secrets masked whatever the team's profile let into the store. */
export function printableEvents(events: readonly AuditEvent[]): AuditEvent[] {
  return redactDeep([...events]).value;
}
