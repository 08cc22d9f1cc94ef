import { LEAD_ROLE } from '@codex-team/contracts';
import { DEFAULT_WORK_ROLE, describeRole } from '@codex-team/policy-engine';
import { compareClaimOrder, type ClaimOrderFacts } from './readiness';
import type { RebalanceAgent, RebalanceSettings, RebalanceTask } from './rebalance-types';
import type { TaskOutlook, WorkOutlook } from './work-outlook';

/** An agent in the plan: one that holds a slot, or one the plan would spawn. */
interface PlanAgent {
  id: string;
  role: string;
  takes_unassigned: boolean;
  /** When it is free for its next task in the plan. */
  free_at: number;
  /** Whether the plan gave it work, or it has work (busy) or is on its way (starting). */
  committed: boolean;
}

/** Whether an agent of `role` may take `task`: the task names its role, or none and it takes those. */
export function mayTake(agent: { role: string; takes_unassigned: boolean }, task: Pick<RebalanceTask, 'required_role'>): boolean {
  return task.required_role === null ? agent.takes_unassigned : task.required_role === agent.role;
}

/** The role to spawn for a task: the one it requires, or the default worker for a task that names none. */
export function roleFor(task: Pick<RebalanceTask, 'required_role'>): string {
  return task.required_role ?? DEFAULT_WORK_ROLE;
}

/** What the plan found: spawns by role (with their tasks), work it could not staff, and idle agents with nothing to do. */
export interface StaffingPlan {
  spawns: Map<string, string[]>;
  /** Tasks a spawn would serve but the ceiling has no room for, by role. */
  no_room: Map<string, string[]>;
  /** Tasks whose role nobody may spawn (the lead's own work is left out before this). */
  unspawnable: Map<string, string[]>;
  /** Idle agents the plan gave nothing within the keep horizon. */
  surplus_ids: string[];
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Which of two agents a task ready at `readyAt` should go to: one free in time first; among those,
 * one already committed (so idle agents stay spare); then the one free soonest; then by id.
 */
function preferAgent(a: PlanAgent, b: PlanAgent, readyAt: number): number {
  const onTimeA = a.free_at <= readyAt;
  const onTimeB = b.free_at <= readyAt;
  if (onTimeA !== onTimeB) return onTimeA ? -1 : 1;
  if (onTimeA && a.committed !== b.committed) return a.committed ? -1 : 1;
  if (a.free_at !== b.free_at) return a.free_at - b.free_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function bestAgent(able: readonly PlanAgent[], readyAt: number): PlanAgent | undefined {
  let best: PlanAgent | undefined;
  for (const agent of able) if (best === undefined || preferAgent(agent, best, readyAt) < 0) best = agent;
  return best;
}

/**
 * A list schedule of the work expected within the keep horizon over the agents there are: each
 * task, in the order it becomes ready (then critical path first), goes to an agent free by then,
 * committed agents before idle ones. A task that would wait for every agent there is, and that is
 * ready within the spawn horizon, gets a new agent when one would start it at least spawn_gain_ms
 * sooner and `room` allows. Idle agents left without work are the surplus. Pure.
 */
export function planStaffing(
  outlook: WorkOutlook,
  agents: readonly RebalanceAgent[],
  nowMs: number,
  room: number,
  settings: RebalanceSettings,
): StaffingPlan {
  const pool: PlanAgent[] = agents.map((agent) => ({
    id: agent.id,
    role: agent.role,
    takes_unassigned: agent.takes_unassigned,
    free_at: freeAt(agent, outlook, nowMs, settings),
    committed: agent.state !== 'idle',
  }));
  const demand = outlook.tasks
    .filter((t) => !t.worked && t.ready_at_ms <= nowMs + settings.keep_horizon_ms && roleFor(t.task) !== LEAD_ROLE)
    .sort(byReadinessThenCriticalPath);
  const plan: StaffingPlan = { spawns: new Map(), no_room: new Map(), unspawnable: new Map(), surplus_ids: [] };
  let left = room;
  for (const item of demand) {
    const able = pool.filter((agent) => mayTake(agent, item.task));
    let agent = bestAgent(able, item.ready_at_ms);
    if (agent === undefined || agent.free_at > item.ready_at_ms) {
      const role = roleFor(item.task);
      const newStart = Math.max(item.ready_at_ms, nowMs + settings.spawn_lead_ms);
      const existingStart = agent === undefined ? Number.POSITIVE_INFINITY : Math.max(agent.free_at, item.ready_at_ms);
      const worthIt = item.ready_at_ms <= nowMs + settings.spawn_horizon_ms && existingStart - newStart >= settings.spawn_gain_ms;
      if (worthIt && !describeRole(role).spawnable) {
        push(plan.unspawnable, role, item.task.id);
      } else if (worthIt && left <= 0) {
        push(plan.no_room, role, item.task.id);
      } else if (worthIt) {
        left -= 1;
        push(plan.spawns, role, item.task.id);
        agent = { id: `+${role}#${plan.spawns.get(role)?.length ?? 0}`, role, takes_unassigned: describeRole(role).claims_implementation_work, free_at: newStart, committed: true };
        pool.push(agent);
      }
    }
    if (agent === undefined) continue;
    agent.free_at = Math.max(agent.free_at, item.ready_at_ms) + item.estimate_ms;
    agent.committed = true;
  }
  plan.surplus_ids = pool.filter((agent) => !agent.committed).map((agent) => agent.id);
  return plan;
}

/** When an agent there is will be free: now when idle, when it has joined when starting, when its task should end when busy. */
function freeAt(agent: RebalanceAgent, outlook: WorkOutlook, nowMs: number, settings: RebalanceSettings): number {
  if (agent.state === 'idle') return nowMs;
  if (agent.state === 'starting') return Math.max(nowMs, agent.since_ms + settings.spawn_lead_ms);
  const held = outlook.tasks.find((t) => t.worked && t.task.owner_agent_id === agent.id);
  return held === undefined ? nowMs : held.finish_at_ms;
}

function byReadinessThenCriticalPath(a: TaskOutlook, b: TaskOutlook): number {
  if (a.ready_at_ms !== b.ready_at_ms) return a.ready_at_ms - b.ready_at_ms;
  return compareClaimOrder(claimOrderFactsOf(a), claimOrderFactsOf(b));
}

/** The claim order's view of a task in the outlook. */
export function claimOrderFactsOf(item: TaskOutlook): ClaimOrderFacts {
  return { critical_path_ms: item.critical_path_ms, priority: item.task.priority, creation: item.task.seq };
}
