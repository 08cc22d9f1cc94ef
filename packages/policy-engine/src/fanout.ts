import { LEAD_ROLE, LIMITS, TeamError, type Profile } from '@codex-team/contracts';
import { budgetCeiling, budgetState, type BudgetState } from './budget';
import { DEFAULT_WORK_ROLE, describeRole, isKnownRole } from './role-catalog';

/** Key of `readyByRole` for ready tasks that name no required role (any worker may take them). */
export const ANY_ROLE = '*';

export interface FanoutInput {
  profile: Profile;
  /** The team's max_threads. */
  maxThreads: number;
  /** A further cap from outside the team (for example the slots its team tree has left). */
  threadCap?: number;
  /** What `threadCap` is, for the reasons, e.g. "Codex's thread cap (...)". @default 'thread cap' */
  threadCapFrom?: string;
  /** Ready tasks by required_role; tasks that name none under ANY_ROLE. */
  readyByRole: Readonly<Record<string, number>>;
  /** Teammates holding a slot (invited or active) by role; the root lead is not counted. */
  activeByRole: Readonly<Record<string, number>>;
  /** Of those, how many hold a claim right now (busy agents take no ready task); default none. */
  busyByRole?: Readonly<Record<string, number>>;
  /** Tokens the team has used so far. */
  usedTokens: number;
}

export interface SpawnRecommendation {
  role: string;
  count: number;
  reasons: string[];
}

export interface FanoutRecommendation {
  /** Roles to spawn now, in role order; empty when nothing should be spawned. */
  spawn: SpawnRecommendation[];
  /** The team size this recommendation aims at; below the active count when the budget shrinks it. */
  target_agents: number;
  /** min(profile threads.hard_cap, team max_threads, thread cap, 6): never exceeded. */
  cap: number;
  active_agents: number;
  budget: BudgetState;
  reasons: string[];
}

function checkCount(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new TeamError('INVALID_INPUT', `${what} must be a non-negative whole number, got ${n}`);
  }
  return n;
}

function countsOf(what: string, record: Readonly<Record<string, number>> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [role, n] of Object.entries(record ?? {})) {
    if (checkCount(`${what}[${role}]`, n) > 0) out.set(role, n);
  }
  return out;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The role with the largest value; ties go to the smaller role name. Undefined when none is > 0. */
function largest(values: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  for (const [role, n] of [...values.entries()].sort(([a], [b]) => byName(a, b))) {
    if (n > 0 && (best === undefined || n > (values.get(best) ?? 0))) best = role;
  }
  return best;
}

/**
 * Which roles to spawn now, and how many. Pure and deterministic; every number carries its reasons.
 *
 * - cap = min(profile threads.hard_cap, team max_threads, threadCap, 6); the band is min(fanout.max, cap).
 * - The budget sets a ceiling: the whole band below soft_tokens, shrinking linearly to one agent
 *   just before hard_tokens, zero from hard_tokens on.
 * - Work wants ceil(ready / fanout.tasks_per_agent) agents per role; idle agents of the role count
 *   first, and idle agents that take implementation work cover role-free tasks before new
 *   `implementer`s are asked for. While any task is ready, the team is topped up to fanout.min
 *   (never beyond one agent per busy or ready task).
 * - Spawns = min(what work wants, ceiling - active agents), given to the roles with the largest
 *   shortfall first (ties by role name).
 *
 * So the spawn count never lets active + spawned pass the cap, never decreases when more work is
 * ready, never increases when more budget is used, and is zero at the hard budget.
 * Throws TeamError `INVALID_INPUT` on negative or fractional counts.
 */
export function recommendFanout(input: FanoutInput): FanoutRecommendation {
  const { profile } = input;
  const tpa = profile.fanout.tasks_per_agent;
  const ready = countsOf('readyByRole', input.readyByRole);
  const active = countsOf('activeByRole', input.activeByRole);
  const busyIn = countsOf('busyByRole', input.busyByRole);
  const reasons: string[] = [];

  // Caps.
  const capParts: [string, number][] = [
    [`profile ${profile.name} threads.hard_cap`, profile.threads.hard_cap],
    ['team max_threads', checkCount('maxThreads', input.maxThreads)],
    ...(input.threadCap === undefined
      ? []
      : ([[input.threadCapFrom ?? 'thread cap', checkCount('threadCap', input.threadCap)]] as [string, number][])),
    ['absolute limit', LIMITS.maxThreadsHardCap],
  ];
  const cap = Math.min(...capParts.map(([, n]) => n));
  reasons.push(`cap ${cap} = min(${capParts.map(([what, n]) => `${what} ${n}`).join(', ')})`);
  const bandMax = Math.min(profile.fanout.max, cap);
  if (bandMax < cap) reasons.push(`fanout.max ${profile.fanout.max} keeps the team at ${bandMax} or fewer`);
  const budget = budgetState(profile, input.usedTokens);
  const { ceiling, reason: ceilingReason } = budgetCeiling(profile, input.usedTokens, bandMax);
  reasons.push(ceilingReason);

  // The lead is never spawned and never counted; its own tasks are its business.
  const leadTasks = ready.get(LEAD_ROLE) ?? 0;
  if (leadTasks > 0) reasons.push(`${plural(leadTasks, 'ready lead task')} left to the lead itself`);
  ready.delete(LEAD_ROLE);
  active.delete(LEAD_ROLE);

  let activeTotal = 0;
  let busyTotal = 0;
  const available = new Map<string, number>();
  for (const [role, n] of active) {
    const busy = Math.min(n, busyIn.get(role) ?? 0);
    activeTotal += n;
    busyTotal += busy;
    available.set(role, n - busy);
  }

  // What the ready work wants, role by role.
  const deficit = new Map<string, number>();
  const spare = new Map<string, number>(); // ready tasks not matched to an agent yet
  const why = new Map<string, string[]>();
  const note = (role: string, text: string): void => {
    why.set(role, [...(why.get(role) ?? []), text]);
  };
  let readyTotal = 0;
  let leftover = 0; // idle agents that take implementation work and have no task of their own role
  for (const [role, n] of available) {
    const own = Math.min(n, Math.ceil((ready.get(role) ?? 0) / tpa));
    if (role !== ANY_ROLE && describeRole(role).claims_implementation_work) leftover += n - own;
  }
  for (const role of [...ready.keys()].sort(byName)) {
    const n = ready.get(role) ?? 0;
    readyTotal += n;
    const want = Math.ceil(n / tpa);
    const idle = role === ANY_ROLE ? leftover : (available.get(role) ?? 0);
    const covered = Math.min(want, idle);
    const target = role === ANY_ROLE ? DEFAULT_WORK_ROLE : role;
    deficit.set(target, (deficit.get(target) ?? 0) + want - covered);
    spare.set(target, (spare.get(target) ?? 0) + n - covered);
    const what = role === ANY_ROLE ? plural(n, 'ready task') + ' naming no role' : plural(n, `ready ${role} task`);
    const by = role === ANY_ROLE ? 'idle agents that take implementation work' : `idle ${role}s`;
    note(
      target,
      `${what} ${n === 1 ? 'wants' : 'want'} ${plural(want, 'agent')} (fanout.tasks_per_agent ${tpa}); ${covered} covered by ${by}` +
        (want > covered ? `, ${want - covered} more wanted` : ''),
    );
  }
  const need = [...deficit.values()].reduce((a, b) => a + b, 0);

  // The band's floor: while anything is ready keep at least fanout.min hands, but no idle ones.
  const floorTarget = readyTotal > 0 ? Math.min(profile.fanout.min, busyTotal + readyTotal) : 0;
  const floorNeed = Math.max(0, floorTarget - activeTotal);
  const want = Math.max(need, floorNeed);
  const room = Math.max(0, ceiling - activeTotal);
  const total = Math.min(want, room);
  const target_agents = Math.min(ceiling, activeTotal + want);

  reasons.push(
    `${plural(readyTotal, 'ready task')}, ${plural(activeTotal, 'active teammate')} (${busyTotal} busy): ` +
      `work wants ${plural(need, 'new agent')}` +
      (floorNeed > need ? `, fanout.min ${profile.fanout.min} wants ${floorNeed}` : ''),
  );
  reasons.push(`room for ${plural(room, 'more agent')} under the ceiling of ${ceiling}`);

  // Give the spawns out: shortfalls first, then the floor's extra hands where most work waits.
  const given = new Map<string, number>();
  const give = (pool: Map<string, number>): boolean => {
    const role = largest(pool);
    if (role === undefined) return false;
    pool.set(role, (pool.get(role) ?? 0) - 1);
    spare.set(role, (spare.get(role) ?? 0) - 1);
    given.set(role, (given.get(role) ?? 0) + 1);
    return true;
  };
  let left = total;
  const shortfall = new Map(deficit);
  while (left > 0 && give(shortfall)) left -= 1;
  let floorExtra = 0;
  while (left > 0 && give(spare)) {
    left -= 1;
    floorExtra += 1;
  }

  const spawn: SpawnRecommendation[] = [];
  for (const role of [...given.keys()].sort(byName)) {
    const count = given.get(role) ?? 0;
    if (count === 0) continue;
    const roleReasons = [...(why.get(role) ?? [])];
    if (count > (deficit.get(role) ?? 0)) {
      roleReasons.push(`fanout.min ${profile.fanout.min}: topping the team up while work is ready`);
    }
    if ((deficit.get(role) ?? 0) > count && total < want) {
      roleReasons.push(`limited to ${count} by room for ${room} under the ceiling of ${ceiling}`);
    }
    if (!isKnownRole(role)) roleReasons.push(`${role} is a custom role, not in the role catalog`);
    spawn.push({ role, count, reasons: roleReasons });
  }

  if (total === 0) {
    const cause =
      want === 0
        ? readyTotal === 0
          ? 'no task is ready'
          : 'the ready work is covered by idle teammates'
        : budget.state === 'hard_exceeded'
          ? 'the hard budget is reached'
          : `the team is at its ceiling of ${ceiling}`;
    reasons.push(`spawn nobody: ${cause}`);
  } else {
    reasons.push(
      `spawn ${plural(total, 'agent')} for a team of ${activeTotal + total}` +
        (floorExtra > 0 ? ` (${floorExtra} to reach fanout.min)` : '') +
        (total < want ? `; ${want - total} more would be useful but the ceiling is ${ceiling}` : ''),
    );
  }
  return { spawn, target_agents, cap, active_agents: activeTotal, budget, reasons };
}
