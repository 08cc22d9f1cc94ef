import { seededRandom, type Profile, type TaskStatus } from '@codex-team/contracts';
import { describeRole } from '@codex-team/policy-engine';
import {
  compareClaimOrder,
  criticalPathRanks,
  expectedDurationMs,
  learnDurations,
  type DurationModel,
  type DurationSample,
} from '@codex-team/scheduler';
import type { SimTask } from './eval-shapes';
import { EventQueue } from './event-queue';

/** The simulated world's constants (ms unless named otherwise); the defaults mirror the default profile and FACTS. */
export interface SimulationSettings {
  /** How often the policy decides; a multiple of sweep_every_ms. */
  tick_ms: number;
  /** How often the recovery sweep runs (the server's sweepEveryMs), heartbeats are recorded and idle agents poll team_task_next. */
  sweep_every_ms: number;
  /** From a spawn decision until the agent has joined and can claim (lead's turn, Codex spawn, team_join). */
  spawn_lead_ms: number;
  /** Claim lease (default profile lease.length_ms) and how often a working holder renews it. */
  lease_ms: number;
  renew_every_ms: number;
  /** The store records an agent's call at most this often (last_seen_at). */
  heartbeat_every_ms: number;
  /** A dead holder's claims return to the pool this long after its disconnect. */
  disconnect_grace_ms: number;
  /** A silent teammate is lost (its slot freed) after this long (default profile idle.agent_timeout_ms). */
  stale_ms: number;
  /** Share of agents that stall or die in the middle of their first task. */
  failure_rate: number;
  /** Tokens an agent costs per minute of slot time: the budget's burn. */
  tokens_per_agent_minute: number;
  /** The expected task duration before any task has finished. */
  prior_ms: number;
}

export const SIMULATION_SETTINGS: Readonly<SimulationSettings> = {
  tick_ms: 10_000,
  sweep_every_ms: 5_000,
  spawn_lead_ms: 30_000,
  lease_ms: 60_000,
  renew_every_ms: 20_000,
  heartbeat_every_ms: 20_000,
  disconnect_grace_ms: 15_000,
  stale_ms: 600_000,
  failure_rate: 0.1,
  tokens_per_agent_minute: 1_000,
  prior_ms: 600_000,
};

/** Which ready task an idle agent claims: claim order (critical path first) or the store's order before issue 16 (priority, then creation). */
export type ClaimOrder = 'critical_path' | 'priority';

/**
 * What claim order and the policy know of task sizes: `blind`, nothing (each task weighs its role's
 * learned duration, as a store with no estimates does); `estimates`, each task's estimate_ms (the
 * store's claim order and controller with estimate_min given); `true`, every true duration (an
 * informational bound on what estimates can buy).
 */
export type SizeKnowledge = 'blind' | 'estimates' | 'true';

/** The size a task is reckoned at under `knowledge`, or undefined when it falls back to learned durations. */
export function knownSize(task: Pick<SimTaskState, 'duration_ms' | 'estimate_ms'>, knowledge: SizeKnowledge): number | undefined {
  if (knowledge === 'true') return task.duration_ms;
  if (knowledge === 'estimates') return task.estimate_ms;
  return undefined;
}

/** A simulated task: its spec plus the store's state of it. */
export interface SimTaskState {
  id: string;
  required_role: string | null;
  priority: number;
  depends_on: string[];
  seq: number;
  duration_ms: number;
  estimate_ms?: number;
  status: TaskStatus;
  owner: string | null;
  claimed_at: number | null;
  fence: number;
  /** For a task whose holder died: when recovery returns it to the pool. */
  returns_at: number | null;
  /** For a task whose holder stalled: when its last lease passes. */
  lease_expires_at: number | null;
}

/** How an agent fails: it stalls or dies `fraction` of the way into its first task; null: it does not. */
export type Fate = { kind: 'stall' | 'die'; fraction: number } | null;

/** A simulated teammate; `stalled` and `gone` are ground truth no policy sees directly. */
export interface SimAgent {
  id: string;
  role: string;
  takes_unassigned: boolean;
  state: 'starting' | 'idle' | 'busy' | 'stalled' | 'gone';
  spawned_at: number;
  left_at: number | null;
  /** When it entered its state (spawn, idle, claim). */
  since: number;
  last_seen: number;
  task: string | null;
  claims: number;
  tasks_done: number;
  busy_ms: number;
  /** When recovery last took a claim back from it; null if never. */
  claim_lost_at: number | null;
  fate: Fate;
}

/** What a staffing policy sees at each tick: what the store would show the lead, nothing more. */
export interface TeamView {
  now: number;
  cap: number;
  profile: Profile;
  tasks: readonly SimTaskState[];
  /** Slot holders (not gone); a stalled one looks busy while it holds its claim, idle after. */
  agents: readonly SimAgent[];
  durations: DurationModel;
  used_tokens: number;
  tokens_per_agent_ms: number;
  /** The teammate slot time so far, which the controller measures the burn over. */
  slot_ms: number;
  settings: SimulationSettings;
  /** What the policy may know of task sizes (see SizeKnowledge). */
  knowledge: SizeKnowledge;
  /** When the lease of a task in progress passes, as the store would record it. */
  leaseExpiresAt(task: SimTaskState): number | null;
}

/** What a policy answers: roles to spawn, agents to retire, and the team size it aims at (if it says). */
export interface StaffingMove {
  spawn: string[];
  retire: string[];
  desired_total: number | null;
}

export interface StaffingPolicy {
  decide(view: TeamView): StaffingMove;
}

/** The measured outcome of one simulated run. */
export interface RunResult {
  makespan_ms: number;
  /** Sum over agents of the time each held a slot: from its spawn until it left or the run ended. */
  agent_ms: number;
  agents_spawned: number;
  agents_failed: number;
  retires: number;
  decisions: number;
  /** Decisions whose team (slot holders after retires, plus spawns) or own target was above the cap. */
  decisions_above_cap: number;
  /** On a pure chain: spawns made while a working agent that may take the chain's next task held a slot. */
  chain_scale_ups: number;
  /** The most slot holders at any time: never above the cap, since the store refuses a spawn past it. */
  max_slot_holders: number;
  /** Spawns of a role less than RESPAWN_WINDOW_MS after the policy retired an agent of that role: retire-then-respawn flapping. */
  respawns: number;
  /** Tasks whose state is done when the run ended (it ends only when every task is; a run that stalls throws). */
  tasks_done: number;
  /** Completions the simulated store accepted (a holder's finish under its fence): one per task unless one completed twice. */
  completions: number;
}

/** A spawn this soon after a retire of the same role counts as a respawn (RunResult.respawns). */
export const RESPAWN_WINDOW_MS = 5 * 60_000;

/**
 * How failures are recovered: `real` as the store does (a dead holder's task after the grace
 * period, a stalled holder's when its lease passes and its slot when it is lost); `instant`, an
 * ablation of the excess decomposition: the task returns and the slot frees the moment its holder
 * fails, so only the lost work is left of a failure.
 */
export type RecoveryModel = 'real' | 'instant';

export interface RunOptions {
  tasks: readonly SimTask[];
  cap: number;
  chain: boolean;
  seed: number;
  profile: Profile;
  policy: StaffingPolicy;
  order: ClaimOrder;
  /** What claim order (and the policy, through the view) knows of task sizes. @default 'blind' */
  knowledge?: SizeKnowledge;
  /** The fate of the agent spawned `ordinal`-th (from 0); by default drawn from the seed at settings.failure_rate. */
  fate?: (ordinal: number) => Fate;
  /** @default 'real' */
  recovery?: RecoveryModel;
  settings?: SimulationSettings;
}

type SimEvent =
  | { kind: 'tick' }
  | { kind: 'join'; agent: SimAgent }
  | { kind: 'finish'; agent: SimAgent; task: SimTaskState; fence: number }
  | { kind: 'fail'; agent: SimAgent; task: SimTaskState; fence: number };

function mayTake(agent: Pick<SimAgent, 'role' | 'takes_unassigned'>, task: Pick<SimTaskState, 'required_role'>): boolean {
  return task.required_role === null ? agent.takes_unassigned : task.required_role === agent.role;
}

class Simulation {
  private now = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly tasks: SimTaskState[];
  private readonly byId: Map<string, SimTaskState>;
  private readonly dependants = new Map<string, SimTaskState[]>();
  private readonly agents: SimAgent[] = [];
  private readonly samples: DurationSample[] = [];
  private readonly fateRandom: () => number;
  private readonly fates: Fate[] = [];
  private readonly settings: SimulationSettings;
  private done = 0;
  private readonly result = { agents_failed: 0, retires: 0, decisions: 0, decisions_above_cap: 0, chain_scale_ups: 0, max_slot_holders: 0, respawns: 0 };
  /** When the policy last retired an agent of each role. */
  private readonly retiredAt = new Map<string, number>();

  constructor(private readonly options: RunOptions) {
    this.settings = options.settings ?? SIMULATION_SETTINGS;
    if (this.settings.tick_ms % this.settings.sweep_every_ms !== 0) throw new Error('tick_ms must be a multiple of sweep_every_ms');
    this.tasks = options.tasks.map((task, seq) => ({
      ...task,
      depends_on: [...task.depends_on],
      seq,
      status: task.depends_on.length === 0 ? 'ready' : 'blocked',
      owner: null,
      claimed_at: null,
      fence: 0,
      returns_at: null,
      lease_expires_at: null,
    }));
    this.byId = new Map(this.tasks.map((task) => [task.id, task]));
    for (const task of this.tasks) {
      for (const dep of task.depends_on) {
        const list = this.dependants.get(dep);
        if (list === undefined) this.dependants.set(dep, [task]);
        else list.push(task);
      }
    }
    this.fateRandom = seededRandom(Math.imul(options.seed, 7919) + 17);
  }

  run(): RunResult {
    const work = this.tasks.reduce((sum, task) => sum + task.duration_ms, 0);
    const limit = 50 * work + 24 * 3_600_000;
    this.queue.push(0, { kind: 'tick' });
    while (this.done < this.tasks.length) {
      const item = this.queue.pop();
      if (item === undefined || item.at > limit) throw new Error(`simulation stalled at ${this.now} ms with ${this.tasks.length - this.done} tasks left`);
      this.now = item.at;
      this.handle(item.event);
      if (this.queue.peekTime() !== this.now) this.assignWork();
    }
    const makespan = this.now;
    const agent_ms = this.agents.reduce((sum, agent) => sum + (agent.left_at ?? makespan) - agent.spawned_at, 0);
    const tasks_done = this.tasks.filter((task) => task.status === 'done').length;
    return { makespan_ms: makespan, agent_ms, agents_spawned: this.agents.length, ...this.result, tasks_done, completions: this.done };
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'tick':
        // Every sweep_every_ms the recovery sweep; every tick_ms (a multiple of it) a decision too.
        this.sweep();
        this.assignWork();
        if (this.now % this.settings.tick_ms === 0) this.decide();
        this.queue.push(this.now + this.settings.sweep_every_ms, { kind: 'tick' });
        return;
      case 'join':
        if (event.agent.state === 'starting') this.enter(event.agent, 'idle');
        return;
      case 'finish':
        this.finish(event.agent, event.task, event.fence);
        return;
      case 'fail':
        this.fail(event.agent, event.task, event.fence);
        return;
    }
  }

  private enter(agent: SimAgent, state: SimAgent['state']): void {
    agent.state = state;
    agent.since = this.now;
    if (state === 'idle' || state === 'busy') agent.last_seen = this.now;
    if (state === 'gone') agent.left_at = this.now;
  }

  private holds(agent: SimAgent, task: SimTaskState, fence: number): boolean {
    return task.owner === agent.id && task.fence === fence && task.status === 'in_progress';
  }

  private finish(agent: SimAgent, task: SimTaskState, fence: number): void {
    if (!this.holds(agent, task, fence) || agent.state !== 'busy') return;
    task.status = 'done';
    task.owner = null;
    this.done += 1;
    this.samples.push({ required_role: task.required_role, duration_ms: this.now - (task.claimed_at ?? this.now) });
    agent.tasks_done += 1;
    agent.busy_ms += this.now - agent.since;
    agent.task = null;
    this.enter(agent, 'idle');
    for (const next of this.dependants.get(task.id) ?? []) {
      if (next.status === 'blocked' && next.depends_on.every((dep) => this.byId.get(dep)?.status === 'done')) next.status = 'ready';
    }
  }

  /** The holder stalls (stops calling; its lease runs out) or dies (its session ends; its slot frees at once). */
  private fail(agent: SimAgent, task: SimTaskState, fence: number): void {
    if (!this.holds(agent, task, fence) || agent.fate === null) return;
    this.result.agents_failed += 1;
    const claimedAt = task.claimed_at ?? this.now;
    // Either way the lease is no longer renewed.
    const lastRenew = claimedAt + Math.floor((this.now - claimedAt) / this.settings.renew_every_ms) * this.settings.renew_every_ms;
    task.lease_expires_at = lastRenew + this.settings.lease_ms;
    if (this.options.recovery === 'instant') {
      agent.task = null;
      this.enter(agent, 'gone');
      this.returnTask(task);
    } else if (agent.fate.kind === 'die') {
      this.enter(agent, 'gone');
      task.returns_at = this.now + this.settings.disconnect_grace_ms;
    } else {
      agent.state = 'stalled';
    }
  }

  private returnTask(task: SimTaskState): void {
    task.status = 'ready';
    task.owner = null;
    task.claimed_at = null;
    task.returns_at = null;
    task.lease_expires_at = null;
  }

  /** The recovery sweep and the heartbeats of live agents. */
  private sweep(): void {
    for (const agent of this.agents) {
      if (agent.state === 'stalled' && this.now - agent.last_seen >= this.settings.stale_ms) {
        this.enter(agent, 'gone');
      } else if ((agent.state === 'idle' || agent.state === 'busy') && this.now - agent.last_seen >= this.settings.heartbeat_every_ms) {
        agent.last_seen = this.now;
      }
    }
    for (const task of this.tasks) {
      if (task.status !== 'in_progress' || task.owner === null) continue;
      const owner = this.agents.find((agent) => agent.id === task.owner) as SimAgent;
      const lapsed = task.lease_expires_at !== null && task.lease_expires_at <= this.now;
      const abandoned = task.returns_at !== null && task.returns_at <= this.now;
      if (lapsed || abandoned || owner.state === 'gone') {
        if (owner.state === 'stalled') {
          // The store's view: it holds nothing since its claim was taken back.
          owner.task = null;
          owner.since = this.now;
          owner.claim_lost_at = this.now;
        }
        this.returnTask(task);
      }
    }
  }

  private estimates(): DurationModel {
    return learnDurations(this.samples, this.settings.prior_ms);
  }

  /** Every idle agent claims the first ready task it may take, in the claim order. */
  private assignWork(): void {
    const idle = this.agents.filter((agent) => agent.state === 'idle').sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : 1));
    if (idle.length === 0) return;
    let ready = this.tasks.filter((task) => task.status === 'ready');
    if (ready.length === 0) return;
    if (this.options.order === 'critical_path') {
      const model = this.estimates();
      const knowledge = this.options.knowledge ?? 'blind';
      const ranks = criticalPathRanks(this.tasks, (task) => knownSize(task, knowledge) ?? expectedDurationMs(model, task.required_role));
      const ranked = (task: SimTaskState) => ({ critical_path_ms: ranks.get(task.id) ?? 0, priority: task.priority, creation: task.seq });
      ready = ready.sort((a, b) => compareClaimOrder(ranked(a), ranked(b)));
    } else {
      ready = ready.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    }
    for (const agent of idle) {
      const at = ready.findIndex((task) => mayTake(agent, task));
      if (at < 0) continue;
      this.claim(agent, ready.splice(at, 1)[0] as SimTaskState);
    }
  }

  private claim(agent: SimAgent, task: SimTaskState): void {
    task.status = 'in_progress';
    task.owner = agent.id;
    task.claimed_at = this.now;
    task.fence += 1;
    agent.task = task.id;
    agent.claims += 1;
    this.enter(agent, 'busy');
    const fence = task.fence;
    if (agent.fate !== null && agent.claims === 1) {
      this.queue.push(this.now + Math.max(1, Math.round(agent.fate.fraction * task.duration_ms)), { kind: 'fail', agent, task, fence });
    } else {
      this.queue.push(this.now + task.duration_ms, { kind: 'finish', agent, task, fence });
    }
  }

  /** The fate of the agent spawned `ordinal`-th: drawn in spawn order, so every policy meets the same fates. */
  private fateOf(ordinal: number): Fate {
    if (this.options.fate !== undefined) return this.options.fate(ordinal);
    while (this.fates.length <= ordinal) {
      const fails = this.fateRandom() < this.settings.failure_rate;
      const kind = this.fateRandom() < 0.5 ? 'stall' : 'die';
      const fraction = 0.2 + 0.6 * this.fateRandom();
      this.fates.push(fails ? { kind, fraction } : null);
    }
    return this.fates[ordinal] ?? null;
  }

  private spawn(role: string): SimAgent {
    const ordinal = this.agents.length;
    const retired = this.retiredAt.get(role);
    if (retired !== undefined && this.now - retired < RESPAWN_WINDOW_MS) this.result.respawns += 1;
    const agent: SimAgent = {
      id: `ag${String(ordinal + 1).padStart(3, '0')}`,
      role,
      takes_unassigned: describeRole(role).claims_implementation_work,
      state: 'starting',
      spawned_at: this.now,
      left_at: null,
      since: this.now,
      last_seen: this.now,
      task: null,
      claims: 0,
      tasks_done: 0,
      busy_ms: 0,
      claim_lost_at: null,
      fate: this.fateOf(ordinal),
    };
    this.agents.push(agent);
    this.result.max_slot_holders = Math.max(this.result.max_slot_holders, this.agents.filter((a) => a.state !== 'gone').length);
    this.queue.push(this.now + this.settings.spawn_lead_ms, { kind: 'join', agent });
    return agent;
  }

  private view(): TeamView {
    const agentMs = this.agents.reduce((sum, agent) => sum + (agent.left_at ?? this.now) - agent.spawned_at, 0);
    const rate = this.settings.tokens_per_agent_minute / 60_000;
    const settings = this.settings;
    const now = this.now;
    return {
      now: this.now,
      cap: this.options.cap,
      profile: this.options.profile,
      tasks: this.tasks,
      agents: this.agents.filter((agent) => agent.state !== 'gone'),
      durations: this.estimates(),
      used_tokens: Math.round(agentMs * rate),
      tokens_per_agent_ms: rate,
      slot_ms: agentMs,
      settings,
      knowledge: this.options.knowledge ?? 'blind',
      leaseExpiresAt(task) {
        if (task.status !== 'in_progress' || task.claimed_at === null) return null;
        if (task.lease_expires_at !== null) return task.lease_expires_at;
        return task.claimed_at + Math.floor((now - task.claimed_at) / settings.renew_every_ms) * settings.renew_every_ms + settings.lease_ms;
      },
    };
  }

  /** The chain's next task no working agent holds: what a second agent on a chain would wait for. */
  private chainNext(): SimTaskState | undefined {
    return this.tasks.find((task) => {
      if (task.status === 'done') return false;
      if (task.status !== 'in_progress') return true;
      const owner = this.agents.find((agent) => agent.id === task.owner);
      return owner === undefined || owner.state === 'stalled' || owner.state === 'gone';
    });
  }

  private decide(): void {
    const move = this.options.policy.decide(this.view());
    this.result.decisions += 1;
    const holders = this.agents.filter((agent) => agent.state !== 'gone');
    const retiring = new Set(move.retire);
    // An idle agent leaves when told; a stalled one that holds no claim any more is closed by the
    // lead (close_agent). A holder is never taken off its task.
    const leaving = holders.filter((agent) => retiring.has(agent.id) && (agent.state === 'idle' || (agent.state === 'stalled' && agent.task === null)));
    const kept = holders.length - leaving.length;
    if (kept + move.spawn.length > this.options.cap || (move.desired_total !== null && move.desired_total > this.options.cap)) {
      this.result.decisions_above_cap += 1;
    }
    if (this.options.chain) {
      const next = this.chainNext();
      const working = holders.filter((agent) => !retiring.has(agent.id) && agent.state !== 'stalled');
      const able = next !== undefined && working.some((agent) => mayTake(agent, next));
      let covered = able;
      for (const role of move.spawn) {
        if (covered) this.result.chain_scale_ups += 1;
        if (next !== undefined && mayTake({ role, takes_unassigned: describeRole(role).claims_implementation_work }, next)) covered = true;
      }
    }
    for (const agent of leaving) {
      this.enter(agent, 'gone');
      this.result.retires += 1;
      this.retiredAt.set(agent.role, this.now);
    }
    for (const role of move.spawn) {
      if (this.agents.filter((agent) => agent.state !== 'gone').length < this.options.cap) this.spawn(role);
    }
  }
}

/** Runs one policy on one DAG instance to the end, in simulated time. Deterministic for a given seed. */
export function simulateRun(options: RunOptions): RunResult {
  return new Simulation(options).run();
}
