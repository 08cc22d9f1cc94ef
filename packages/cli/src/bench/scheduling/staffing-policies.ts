import type { Profile } from '@codex-team/contracts';
import { ANY_ROLE, DEFAULT_WORK_ROLE, recommendFanout } from '@codex-team/policy-engine';
import { decideRebalance, type RebalanceAgent, type RebalanceDecision, type RebalanceSettings, type RebalanceTask } from '@codex-team/scheduler';
import type { SimTask } from './eval-shapes';
import { knownSize, type SimAgent, type SimTaskState, type StaffingMove, type StaffingPolicy, type TeamView } from './simulation';

const roleFor = (task: Pick<SimTask, 'required_role'>): string => task.required_role ?? DEFAULT_WORK_ROLE;
const mayTake = (agent: SimAgent, task: SimTaskState): boolean =>
  task.required_role === null ? agent.takes_unassigned : task.required_role === agent.role;

/**
 * What a sensible lead does when its team is full and a ready task waits with no idle agent that
 * may take it, while another agent idles with nothing it may claim: it closes that agent (longest
 * idle first) to bring in the role the task needs. Without it a static team of the wrong roles
 * waits forever, or works a role's queue with one agent while the others idle.
 */
function roleSwap(view: TeamView): { needed: string; victim: SimAgent } | undefined {
  if (view.agents.length < view.cap) return undefined;
  const ready = view.tasks.filter((task) => task.status === 'ready');
  const idle = view.agents.filter((agent) => agent.state === 'idle' || (agent.state === 'stalled' && agent.task === null));
  const waiting = ready.find((task) => !idle.some((agent) => mayTake(agent, task)));
  if (waiting === undefined) return undefined;
  const victim = idle.filter((agent) => !ready.some((task) => mayTake(agent, task))).sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : 1))[0];
  return victim === undefined ? undefined : { needed: roleFor(waiting), victim };
}

/** A team of `cap` by role, in proportion to the plan's tasks per role, every role at least one while slots last. */
export function fixedRoster(tasks: readonly SimTask[], cap: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(roleFor(task), (counts.get(roleFor(task)) ?? 0) + 1);
  const roles = [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1));
  const roster = new Map<string, number>();
  for (const role of roles.slice(0, cap)) roster.set(role, 1);
  for (let left = cap - roster.size; left > 0; left -= 1) {
    // D'Hondt: the next slot goes to the role with the most tasks per agent it would have; ties to the smaller team.
    const quotient = (role: string): number => (counts.get(role) ?? 0) / ((roster.get(role) ?? 0) + 1);
    const next = roles.reduce((best, role) => {
      if (quotient(role) !== quotient(best)) return quotient(role) > quotient(best) ? role : best;
      return (roster.get(role) ?? 0) < (roster.get(best) ?? 0) ? role : best;
    });
    roster.set(next, (roster.get(next) ?? 0) + 1);
  }
  return roster;
}

/**
 * Fixed maximum staffing: `cap` agents from the start to the end, by role in proportion to the
 * plan; a lost agent is replaced with its role; an idle agent of the wrong role is swapped (roleSwap).
 */
export function fixedMaximumPolicy(tasks: readonly SimTask[], cap: number): StaffingPolicy {
  const roster = fixedRoster(tasks, cap);
  return {
    decide(view): StaffingMove {
      const retire: string[] = [];
      const swap = roleSwap(view);
      if (swap !== undefined) {
        retire.push(swap.victim.id);
        roster.set(swap.victim.role, (roster.get(swap.victim.role) ?? 1) - 1);
        roster.set(swap.needed, (roster.get(swap.needed) ?? 0) + 1);
      }
      const have = new Map<string, number>();
      for (const agent of view.agents) if (!retire.includes(agent.id)) have.set(agent.role, (have.get(agent.role) ?? 0) + 1);
      const spawn: string[] = [];
      for (const [role, want] of [...roster.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (let n = have.get(role) ?? 0; n < want; n += 1) spawn.push(role);
      }
      return { spawn, retire, desired_total: cap };
    },
  };
}

/**
 * Today's fanout: the lead spawns what policy-engine's recommendFanout says for the ready work
 * (team_status hints), never retires an idle agent (idle.retire_idle_agents is false by default),
 * and swaps an idle agent of the wrong role when the team is full (roleSwap).
 */
export function todaysFanoutPolicy(profile: Profile): StaffingPolicy {
  return {
    decide(view): StaffingMove {
      const swap = roleSwap(view);
      if (swap !== undefined) return { spawn: [], retire: [swap.victim.id], desired_total: null };
      const readyByRole: Record<string, number> = {};
      for (const task of view.tasks) {
        if (task.status === 'ready') readyByRole[task.required_role ?? ANY_ROLE] = (readyByRole[task.required_role ?? ANY_ROLE] ?? 0) + 1;
      }
      const activeByRole: Record<string, number> = {};
      const busyByRole: Record<string, number> = {};
      for (const agent of view.agents) {
        activeByRole[agent.role] = (activeByRole[agent.role] ?? 0) + 1;
        if (agent.task !== null) busyByRole[agent.role] = (busyByRole[agent.role] ?? 0) + 1;
      }
      const hints = recommendFanout({ profile, maxThreads: view.cap, readyByRole, activeByRole, busyByRole, usedTokens: view.used_tokens });
      return { spawn: hints.spawn.flatMap((s) => Array.from({ length: s.count }, () => s.role)), retire: [], desired_total: hints.target_agents };
    },
  };
}

function rebalanceTask(view: TeamView, task: SimTaskState): RebalanceTask {
  return {
    id: task.id,
    status: task.status,
    depends_on: task.depends_on,
    required_role: task.required_role,
    priority: task.priority,
    owner_agent_id: task.status === 'in_progress' ? task.owner : null,
    seq: task.seq,
    claimed_at_ms: task.status === 'in_progress' ? task.claimed_at : null,
    lease_expires_at_ms: view.leaseExpiresAt(task),
    estimate_ms: knownSize(task, view.knowledge) ?? null,
  };
}

/** The agent as the store would show it: a stalled agent looks busy while it holds its claim, idle after. */
function rebalanceAgent(agent: SimAgent): RebalanceAgent {
  const state = agent.state === 'starting' ? 'starting' : agent.task !== null ? 'busy' : 'idle';
  return {
    id: agent.id,
    role: agent.role,
    state,
    since_ms: agent.since,
    last_seen_ms: agent.last_seen,
    takes_unassigned: agent.takes_unassigned,
    tasks_done: agent.tasks_done,
    busy_ms: agent.busy_ms,
    claim_lost_at_ms: agent.claim_lost_at,
  };
}

/** The controller: decideRebalance every tick, fed its own previous decision; `onDecision` sees each one. */
export function controllerPolicy(settings: Partial<RebalanceSettings> = {}, onDecision?: (decision: RebalanceDecision) => void): StaffingPolicy {
  let previous: RebalanceDecision | null = null;
  return {
    decide(view): StaffingMove {
      const decision = decideRebalance({
        now_ms: view.now,
        profile: view.profile,
        max_threads: view.cap,
        tasks: view.tasks.map((task) => rebalanceTask(view, task)),
        agents: view.agents.map(rebalanceAgent),
        durations: view.durations,
        budget: { used_tokens: view.used_tokens, tokens_per_agent_ms: view.tokens_per_agent_ms, slot_ms: view.slot_ms },
        previous,
        settings: { spawn_lead_ms: view.settings.spawn_lead_ms, ...settings },
      });
      previous = decision;
      onDecision?.(decision);
      return {
        spawn: decision.spawn.flatMap((s) => Array.from({ length: s.count }, () => s.role)),
        retire: decision.retire.map((r) => r.agent_id),
        desired_total: decision.desired_total,
      };
    },
  };
}
