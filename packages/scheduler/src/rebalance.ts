import { LIMITS, TeamError } from '@codex-team/contracts';
import { budgetCeiling, describeRole } from '@codex-team/policy-engine';
import { compareClaimOrder } from './readiness';
import type {
  NextTaskDirective,
  RebalanceAgent,
  RebalanceDecision,
  RebalanceFacts,
  RebalanceInput,
  RebalanceRule,
  RebalanceSettings,
  RetireCandidate,
  RetireDirective,
  SpawnDirective,
  UnmetWork,
} from './rebalance-types';
import { claimOrderFactsOf, mayTake, planStaffing, type StaffingPlan } from './staffing-plan';
import { taskEstimateMs } from './task-durations';
import { workOutlook, type TaskOutlook, type WorkOutlook } from './work-outlook';

/** The controller's time constants when the caller sets none (see RebalanceSettings). */
export const DEFAULT_REBALANCE_SETTINGS: Readonly<RebalanceSettings> = {
  spawn_lead_ms: 30_000,
  spawn_horizon_ms: 300_000,
  keep_horizon_ms: 1_200_000,
  retire_after_ms: 30_000,
  spawn_gain_ms: 30_000,
  silent_after_ms: 45_000,
  burn_window_ms: 60_000,
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;

function settingsOf(input: RebalanceInput): RebalanceSettings {
  const settings = { ...DEFAULT_REBALANCE_SETTINGS, ...input.settings };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0) throw new TeamError('INVALID_INPUT', `rebalance setting ${name} must be a non-negative number of ms, got ${value}`);
  }
  return settings;
}

/** cap = min(profile threads.hard_cap, max_threads, thread cap, 6), with the sentence that says so. */
function capOf(input: RebalanceInput): { cap: number; reason: string } {
  const parts: [string, number][] = [
    [`profile ${input.profile.name} threads.hard_cap`, input.profile.threads.hard_cap],
    ['team max_threads', input.max_threads],
    ...(input.thread_cap === undefined ? [] : ([['thread cap', input.thread_cap]] as [string, number][])),
    ['absolute limit', LIMITS.maxThreadsHardCap],
  ];
  for (const [what, n] of parts) {
    if (!Number.isInteger(n) || n < 0) throw new TeamError('INVALID_INPUT', `${what} must be a non-negative whole number, got ${n}`);
  }
  const cap = Math.min(...parts.map(([, n]) => n));
  return { cap, reason: `cap ${cap} = min(${parts.map(([what, n]) => `${what} ${n}`).join(', ')})` };
}

/**
 * The team size the budget sustains. Below the soft budget the whole band; past it budgetCeiling
 * shrinks it to 0 at the hard budget. Then the burn: with `rate` tokens per agent-ms, n agents
 * finish the remaining work W along the remaining critical path C in max(C, W / n), burning
 * rate * n * max(C, W / n). Up to W / C agents that is rate * W whatever n is; more agents only
 * burn tokens waiting. So when the projection at the ceiling passes the hard budget, the ceiling
 * becomes the most agents the budget sustains, and never less than the work's average parallelism
 * floor(W / C): fewer would save no tokens and only finish later. A burn measured over less than
 * burn_window_ms of slot time is start-up, not a rate, and is left out.
 */
function budgetLimit(input: RebalanceInput, bandMax: number, outlook: WorkOutlook, settings: RebalanceSettings): { ceiling: number; reasons: string[] } {
  const { ceiling, reason } = budgetCeiling(input.profile, input.budget.used_tokens, bandMax);
  const reasons = [reason];
  const rate = input.budget.tokens_per_agent_ms;
  const work = outlook.remaining_work_ms;
  const path = outlook.remaining_critical_path_ms;
  if (rate === null || !(rate > 0) || ceiling === 0 || work <= 0 || path <= 0) return { ceiling, reasons };
  if (input.budget.slot_ms < settings.burn_window_ms) {
    reasons.push(`budget burn not counted yet: measured over ${Math.round(input.budget.slot_ms)} ms of slot time, under the window of ${settings.burn_window_ms} ms`);
    return { ceiling, reasons };
  }
  const hard = input.profile.budget.hard_tokens;
  const used = input.budget.used_tokens;
  const projected = (n: number): number => used + rate * n * Math.max(path, work / n);
  if (projected(ceiling) <= hard) return { ceiling, reasons };
  const parallel = Math.max(1, Math.floor(work / path));
  const sustained = used + rate * work <= hard ? Math.max(parallel, Math.floor((hard - used) / (rate * path))) : parallel;
  const limited = Math.max(1, Math.min(ceiling, sustained));
  reasons.push(
    `budget burn: ${Math.round(rate * 60_000)} tokens per agent-minute would reach ${Math.round(projected(ceiling))} of ${hard} tokens ` +
      `with ${plural(ceiling, 'agent')} (${minutes(work)} of work, ${minutes(path)} of critical path left); ceiling ${limited}`,
  );
  return { ceiling: limited, reasons };
}

function facts(input: RebalanceInput, outlook: WorkOutlook, silentIds: string[]): RebalanceFacts {
  const count = (status: string): number => input.tasks.filter((task) => task.status === status).length;
  const estimates: Record<string, number> = {};
  for (const [role, mean] of Object.entries(input.durations.by_role)) estimates[role] = Math.round(mean.mean_ms);
  return {
    tasks: { ready: count('ready'), in_progress: count('in_progress'), blocked: count('blocked'), live: outlook.tasks.length, dead: outlook.dead },
    agents: {
      starting: input.agents.filter((a) => a.state === 'starting').length,
      idle: input.agents.filter((a) => a.state === 'idle').length,
      busy: input.agents.filter((a) => a.state === 'busy').length,
      silent_ids: silentIds,
    },
    remaining_work_ms: Math.round(outlook.remaining_work_ms),
    remaining_critical_path_ms: Math.round(outlook.remaining_critical_path_ms),
    chain: outlook.chain,
    estimates_ms: estimates,
    used_tokens: input.budget.used_tokens,
    tokens_per_agent_ms: input.budget.tokens_per_agent_ms,
  };
}

/** Idle agents in the order they go first: longest idle, then the fewest tasks done, then by id. */
function retireOrder(a: RebalanceAgent, b: RebalanceAgent): number {
  if (a.since_ms !== b.since_ms) return a.since_ms - b.since_ms;
  if (a.tasks_done !== b.tasks_done) return a.tasks_done - b.tasks_done;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** For each role there is or will be, the ready task its agents should claim next, critical path first. */
function nextTasks(input: RebalanceInput, outlook: WorkOutlook, roles: ReadonlyMap<string, boolean>): NextTaskDirective[] {
  const ready = outlook.tasks
    .filter((item) => !item.worked && item.task.status !== 'in_progress' && item.ready_at_ms <= input.now_ms)
    .sort((a, b) => compareClaimOrder(claimOrderFactsOf(a), claimOrderFactsOf(b)));
  const out: NextTaskDirective[] = [];
  for (const [role, takes_unassigned] of [...roles.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const next = ready.find((item) => mayTake({ role, takes_unassigned }, item.task));
    if (next === undefined) continue;
    out.push({ role, task_id: next.task.id, critical_path_ms: Math.round(next.critical_path_ms), priority: next.task.priority, rule: 'rebalance.next.critical_path_first' });
  }
  return out;
}

/** Of the plan's spawns, the one for a chain's next task, if the plan has it: one agent, never one per task of the chain. */
function chainNextSpawn(plan: StaffingPlan, chainNext: TaskOutlook | undefined): Map<string, string[]> {
  if (chainNext === undefined) return new Map();
  const id = chainNext.task.id;
  return new Map([...plan.spawns.entries()].filter(([, ids]) => ids.includes(id)).map(([role]) => [role, [id]]));
}

/** The spawns the plan found; for a chain, only one for its next task, and none while an agent here may take it. */
function spawnDirectives(plan: StaffingPlan, outlook: WorkOutlook, heard: readonly RebalanceAgent[], settings: RebalanceSettings, reasons: string[]): SpawnDirective[] {
  const chainNext = outlook.chain_next;
  const chainCovered = chainNext !== undefined && heard.some((agent) => mayTake(agent, chainNext.task));
  if (outlook.chain) {
    const chain = `the live work is one chain of ${plural(outlook.tasks.length, 'task')}`;
    reasons.push(chainCovered ? `${chain} and an agent that may take its next task is here: no spawn` : chain);
    // A chain has no parallel work: never staff it twice, and staff nothing but its next task.
    if (chainCovered) return [];
  }
  const spawns = outlook.chain ? chainNextSpawn(plan, chainNext) : plan.spawns;
  return [...spawns.keys()].sort().map((role) => {
    const taskIds = spawns.get(role) as string[];
    return {
      role,
      count: taskIds.length,
      rule: 'rebalance.spawn.waiting_work',
      reason:
        `${plural(taskIds.length, `${role} task`)} ready within ${settings.spawn_horizon_ms} ms that no agent here would start ` +
        `within ${settings.spawn_gain_ms} ms of a new one (${taskIds.join(', ')})`,
      task_ids: taskIds,
    };
  });
}

/**
 * Agents that lost their claim to recovery while silent and have not called since, and are still
 * silent: stalled or gone without a word. They will never ask for work, so they cannot be told to
 * retire; recovery would free their slot only after idle.agent_timeout_ms. The lead closes them.
 * Silence alone is not enough (a holder may run a long command), nor is a lost claim (an agent
 * that still calls may only have forgotten to renew): both together mean the agent is not there.
 */
function silentRetires(input: RebalanceInput, settings: RebalanceSettings): RetireDirective[] {
  const now = input.now_ms;
  return input.agents
    .filter((agent) => {
      const lost = agent.claim_lost_at_ms ?? null;
      return agent.state === 'idle' && lost !== null && agent.last_seen_ms < lost && now - agent.last_seen_ms > settings.silent_after_ms;
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((agent) => ({
      agent_id: agent.id,
      role: agent.role,
      rule: 'rebalance.retire.silent' as const,
      reason:
        `not heard from for ${now - agent.last_seen_ms} ms, and recovery took its claim back ${now - (agent.claim_lost_at_ms ?? now)} ms ago: ` +
        'it will not ask for work, so the lead closes it and its slot frees now',
      idle_ms: now - agent.since_ms,
    }));
}

/**
 * Whether an agent counts for nothing, being possibly stalled: a holder not heard from for
 * silent_after_ms, or an idle agent that lost its claim to recovery while silent and has been
 * silent that long. An idle agent that holds nothing is not silent by its silence alone: under
 * Codex a teammate that found no work ends its turn and waits to be woken, which says nothing of
 * whether it is there; it stays an idle agent to keep or to retire.
 */
function isSilent(agent: RebalanceAgent, now: number, settings: RebalanceSettings): boolean {
  if (agent.state === 'starting' || now - agent.last_seen_ms <= settings.silent_after_ms) return false;
  if (agent.state === 'busy') return true;
  const lost = agent.claim_lost_at_ms ?? null;
  return lost !== null && agent.last_seen_ms < lost;
}

interface RetireContext {
  input: RebalanceInput;
  settings: RebalanceSettings;
  outlook: WorkOutlook;
  plan: StaffingPlan;
  /** Idle agents heard from, in retire order. */
  idleHeard: readonly RebalanceAgent[];
  holders: number;
  ceiling: number;
}

/** Retires over the ceiling at once; surplus and make-room retires after the hysteresis; the rest on notice. */
function retireDirectives(context: RetireContext): { retire: RetireDirective[]; retire_candidates: RetireCandidate[] } {
  const { input, settings, outlook, plan, idleHeard, holders, ceiling } = context;
  const now = input.now_ms;
  const surplus = new Set(plan.surplus_ids);
  const retire: RetireDirective[] = [];
  const over = holders - ceiling;
  if (over > 0) {
    const chosen = [...idleHeard.filter((a) => surplus.has(a.id)), ...idleHeard.filter((a) => !surplus.has(a.id))].slice(0, over);
    for (const agent of chosen) {
      retire.push({
        agent_id: agent.id,
        role: agent.role,
        rule: 'rebalance.retire.over_ceiling',
        reason: `${holders} slot holders over the ceiling of ${ceiling}; idle for ${now - agent.since_ms} ms`,
        idle_ms: now - agent.since_ms,
      });
    }
  }
  const retiring = new Set(retire.map((r) => r.agent_id));
  // Ready work waiting for a slot beats work expected later: idle agents that may take none of the
  // ready work make room, as many as the waiting tasks need beyond the surplus already going.
  const readyNow = outlook.tasks.filter((item) => !item.worked && item.ready_at_ms <= now);
  const waiting = [...plan.no_room.values()].flat().filter((id) => (outlook.byId.get(id)?.ready_at_ms ?? Number.POSITIVE_INFINITY) <= now);
  const noticed = new Map<string, RebalanceRule>();
  for (const agent of idleHeard) if (surplus.has(agent.id) && !retiring.has(agent.id)) noticed.set(agent.id, 'rebalance.retire.surplus_idle');
  const roomNeeded = waiting.length - noticed.size;
  const makeRoom = idleHeard.filter((a) => !noticed.has(a.id) && !retiring.has(a.id) && !readyNow.some((item) => mayTake(a, item.task)));
  for (const agent of makeRoom.slice(0, Math.max(0, roomNeeded))) noticed.set(agent.id, 'rebalance.retire.make_room');

  const previousSince = new Map((input.previous?.retire_candidates ?? []).map((c) => [c.agent_id, c.since_ms]));
  const retire_candidates: RetireCandidate[] = [];
  for (const agent of idleHeard) {
    const rule = noticed.get(agent.id);
    if (rule === undefined) continue;
    const since = previousSince.get(agent.id) ?? now;
    // Carried while it stays a surplus, retired or not: a retire takes effect when the agent next
    // asks for work, and until then the next decision must retire it again, not start over.
    retire_candidates.push({ agent_id: agent.id, rule, since_ms: since, retire_at_ms: since + settings.retire_after_ms });
    if (now - since < settings.retire_after_ms) continue;
    retire.push({
      agent_id: agent.id,
      role: agent.role,
      rule,
      reason:
        rule === 'rebalance.retire.make_room'
          ? `${plural(waiting.length, 'ready task')} (${waiting.join(', ')}) wait for a slot and it may take none of the ready work; idle for ${now - since} ms`
          : `no work it may take is expected within ${settings.keep_horizon_ms} ms, and none has been for ${now - since} ms`,
      idle_ms: now - agent.since_ms,
    });
  }
  return { retire, retire_candidates };
}

/**
 * One rebalancing decision, a pure function of plain data (the caller's clock gives `now_ms`):
 *
 * - Ceiling: cap = min(profile threads.hard_cap, max_threads, thread cap, 6); then the profile's
 *   fanout.max, the budget (budgetCeiling) and its burn (see budgetLimit). Spawns never take the
 *   slot holders past the ceiling, so no decision is ever above the cap.
 * - Spawns (`rebalance.spawn.waiting_work`): a list schedule of the work expected within the keep
 *   horizon over the agents there are (planStaffing); a task ready within the spawn horizon that
 *   every agent there would start at least spawn_gain_ms later than a new one gets a new agent of
 *   its role, the most critical first. Holders not heard from for silent_after_ms count for nothing,
 *   and so do idle agents that lost a claim while silent (isSilent).
 * - Chains: when the live work is one chain, nothing is spawned while an agent that may take its
 *   next task holds a slot.
 * - Retires (`rebalance.retire.surplus_idle`): an idle agent with nothing to do within the keep
 *   horizon is retired once it has been such a surplus for retire_after_ms without a break (the
 *   hysteresis: `previous.retire_candidates` carries since when). When ready work waits for a slot
 *   (`rebalance.retire.make_room`), idle agents that may take none of the ready work go the same
 *   way, even if work for them is expected later: waiting work first, and no deadlock of agents
 *   kept for work that waits on the very slot they hold. Over the ceiling
 *   (`rebalance.retire.over_ceiling`) idle agents go at once, longest idle first.
 * - Silent agents (`rebalance.retire.silent`): an agent that lost its claim to recovery while
 *   silent, and is still silent, is closed by the lead at once (see silentRetires).
 * - Next task per role (`rebalance.next.critical_path_first`): claim order (CLAIM_ORDER).
 *
 * Throws TeamError `INVALID_INPUT` (bad counts, settings or DAG) or `CYCLE_DETECTED`.
 */
export function decideRebalance(input: RebalanceInput): RebalanceDecision {
  const settings = settingsOf(input);
  const now = input.now_ms;
  const { cap, reason: capReason } = capOf(input);
  const bandMax = Math.min(input.profile.fanout.max, cap);
  const reasons = [capReason];
  if (bandMax < cap) reasons.push(`fanout.max ${input.profile.fanout.max} keeps the team at ${bandMax} or fewer`);

  const silent = input.agents.filter((agent) => isSilent(agent, now, settings));
  const silentIds = new Set(silent.map((agent) => agent.id));
  const heard = input.agents.filter((agent) => !silentIds.has(agent.id));
  const outlook = workOutlook(input.tasks, (task) => taskEstimateMs(task, input.durations), now, new Set(heard.map((agent) => agent.id)));
  const { ceiling, reasons: budgetReasons } = budgetLimit(input, bandMax, outlook, settings);
  reasons.push(...budgetReasons);
  if (silent.length > 0) reasons.push(`${plural(silent.length, 'agent')} not heard from for over ${settings.silent_after_ms} ms count for nothing: ${[...silentIds].sort().join(', ')}`);

  const holders = input.agents.length;
  const room = Math.max(0, ceiling - holders);
  // A chain never has work for two agents at once: an idle agent of another role is kept no longer
  // than a new one would be spawned ahead for its next task.
  const planSettings = outlook.chain ? { ...settings, keep_horizon_ms: Math.min(settings.keep_horizon_ms, settings.spawn_horizon_ms) } : settings;
  const plan = planStaffing(outlook, heard, now, room, planSettings);

  const spawn = spawnDirectives(plan, outlook, heard, settings, reasons);
  const unmet: UnmetWork[] = [
    ...[...plan.no_room.entries()].map(([role, ids]) => ({ role, task_ids: ids, reason: `no room: ${holders} of ${ceiling} slots held` })),
    ...[...plan.unspawnable.entries()].map(([role, ids]) => ({ role, task_ids: ids, reason: `role ${role} is not spawnable` })),
  ];
  const idleHeard = heard.filter((agent) => agent.state === 'idle').sort(retireOrder);
  const { retire: idleRetires, retire_candidates } = retireDirectives({ input, settings: planSettings, outlook, plan, idleHeard, holders, ceiling });
  const retire = [...silentRetires(input, settings), ...idleRetires];

  const desired_by_role: Record<string, number> = {};
  const gone = new Set(retire.map((r) => r.agent_id));
  for (const agent of input.agents) if (!gone.has(agent.id)) desired_by_role[agent.role] = (desired_by_role[agent.role] ?? 0) + 1;
  for (const s of spawn) desired_by_role[s.role] = (desired_by_role[s.role] ?? 0) + s.count;
  const desired_total = Object.values(desired_by_role).reduce((a, b) => a + b, 0);
  reasons.push(
    `${plural(holders, 'slot holder')} (${heard.filter((a) => a.state === 'busy').length} busy, ${idleHeard.length} idle): ` +
      `spawn ${spawn.reduce((n, s) => n + s.count, 0)}, retire ${retire.length}, ${plural(retire_candidates.length, 'idle agent')} on notice; ` +
      `${minutes(outlook.remaining_work_ms)} of work and ${minutes(outlook.remaining_critical_path_ms)} of critical path left`,
  );

  const roles = new Map<string, boolean>();
  for (const agent of heard) roles.set(agent.role, (roles.get(agent.role) ?? false) || agent.takes_unassigned);
  for (const s of spawn) if (!roles.has(s.role)) roles.set(s.role, describeRole(s.role).claims_implementation_work);
  const key = JSON.stringify({ spawn: spawn.map((s) => [s.role, s.count]), retire: retire.map((r) => r.agent_id).sort() });
  return {
    at_ms: now,
    cap,
    ceiling,
    desired_by_role,
    desired_total,
    spawn,
    retire,
    next_task: nextTasks(input, outlook, roles),
    retire_candidates,
    unmet,
    facts: facts(input, outlook, [...silentIds].sort()),
    reasons,
    key,
    changed: key !== input.previous?.key,
  };
}
