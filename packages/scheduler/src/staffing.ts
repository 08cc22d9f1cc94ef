import type { Agent, AgentState, Profile, Task, TaskStatus, Team } from '@codex-team/contracts';
import {
  ANY_ROLE,
  earlyStopVerdict,
  recommendFanout,
  type EarlyStopVerdict,
  type FanoutRecommendation,
} from '@codex-team/policy-engine';
import { remainingCriticalPath, type CriticalPath } from './critical-path';
import { readyTasks, type SchedulableTask } from './readiness';

/** Agent states that hold one of the team's max_threads slots. */
export const SLOT_HOLDING_STATES: readonly AgentState[] = ['invited', 'active'];

export interface StaffingInput {
  profile: Profile;
  team: Pick<Team, 'max_threads' | 'lead_agent_id'>;
  agents: readonly Pick<Agent, 'id' | 'role' | 'state'>[];
  tasks: readonly (SchedulableTask & Pick<Task, 'owner_agent_id'>)[];
  usedTokens: number;
  /** A further cap from outside the team (Codex's thread cap, the slots its team tree has left). */
  threadCap?: number;
  /** What `threadCap` is, for the reasons. @default 'thread cap' */
  threadCapFrom?: string;
  /** When the lead declared consensus (ISO), or null: the team then stops early. */
  consensusAt?: string | null;
}

export interface StaffingHints extends FanoutRecommendation {
  /** Ready task ids by required role (ANY_ROLE for tasks naming none), each list in claim order. */
  ready_by_role: Record<string, string[]>;
  early_stop: EarlyStopVerdict;
  /** The longest chain of unfinished work, one unit per task. */
  critical_path: CriticalPath;
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/**
 * Which roles the lead should spawn now: readiness of the DAG combined with recommendFanout, plus
 * the early-stop verdict and the remaining critical path. Pure. When early stop says stop, nothing
 * is spawned. Throws what recommendFanout and criticalPath throw.
 */
export function staffingHints(input: StaffingInput): StaffingHints {
  const ready = readyTasks(input.tasks);
  const ready_by_role: Record<string, string[]> = {};
  const readyByRole: Record<string, number> = {};
  for (const task of ready) {
    const role = task.required_role ?? ANY_ROLE;
    (ready_by_role[role] ??= []).push(task.id);
    bump(readyByRole, role);
  }

  const slotHolders = input.agents.filter(
    (a) => a.id !== input.team.lead_agent_id && SLOT_HOLDING_STATES.includes(a.state),
  );
  const roleOf = new Map(slotHolders.map((a) => [a.id, a.role] as const));
  const activeByRole: Record<string, number> = {};
  for (const agent of slotHolders) bump(activeByRole, agent.role);
  const busyByRole: Record<string, number> = {};
  const busyAgents = new Set(
    input.tasks.filter((t) => t.status === 'in_progress' && t.owner_agent_id !== null).map((t) => t.owner_agent_id),
  );
  for (const id of busyAgents) {
    const role = id === null ? undefined : roleOf.get(id);
    if (role !== undefined) bump(busyByRole, role);
  }

  const tasksByStatus: Partial<Record<TaskStatus, number>> = {};
  for (const task of input.tasks) tasksByStatus[task.status] = (tasksByStatus[task.status] ?? 0) + 1;
  const early_stop = earlyStopVerdict(input.profile, tasksByStatus, input.consensusAt ?? null);

  const fanout = recommendFanout({
    profile: input.profile,
    maxThreads: input.team.max_threads,
    ...(input.threadCap === undefined ? {} : { threadCap: input.threadCap }),
    ...(input.threadCapFrom === undefined ? {} : { threadCapFrom: input.threadCapFrom }),
    readyByRole,
    activeByRole,
    busyByRole,
    usedTokens: input.usedTokens,
  });
  const hints: StaffingHints = {
    ...fanout,
    ready_by_role,
    early_stop,
    critical_path: remainingCriticalPath(input.tasks),
  };
  if (early_stop.verdict === 'stop') {
    hints.spawn = [];
    hints.target_agents = 0;
    hints.reasons = [...fanout.reasons, `early stop: ${early_stop.reason}`];
  }
  return hints;
}
