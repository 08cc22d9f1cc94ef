import type { Profile, Task } from '@codex-team/contracts';
import type { DurationModel } from './task-durations';

/** A task as the controller sees it: the DAG, the claim on it and the claim order's keys. */
export interface RebalanceTask extends Pick<Task, 'id' | 'status' | 'depends_on' | 'required_role' | 'priority' | 'owner_agent_id'> {
  /** Creation sequence: among tasks equal on the earlier keys of CLAIM_ORDER, the one made first goes first. */
  seq: number;
  /** When the current claim was taken (ms since the epoch), for a task in progress; else null. */
  claimed_at_ms: number | null;
  /** When the current claim's lease passes (ms), for a task in progress; else null. */
  lease_expires_at_ms: number | null;
  /** An estimate of this task's duration when the caller has one (ms); else its role's learned mean is used. */
  estimate_ms?: number | null;
  /**
   * In progress in a child team this team delegated it to (it holds no agent of this team): worked
   * on, never work waiting for this team's agents. `claimed_at_ms` is when it was delegated.
   */
  delegated?: boolean;
}

/**
 * What an agent holding a slot is doing: `starting` (spawned, not joined yet), `idle` (no claim)
 * or `busy` (holds a claim).
 */
export type RebalanceAgentState = 'starting' | 'idle' | 'busy';

/** A teammate holding one of the team's slots (invited or active); never the lead. */
export interface RebalanceAgent {
  id: string;
  role: string;
  state: RebalanceAgentState;
  /** When it entered `state` (ms): spawned, went idle, or claimed its task. */
  since_ms: number;
  /** The last call the store recorded from it (ms); its spawn time before it joined. */
  last_seen_ms: number;
  /** Whether it may claim tasks that name no role (the permission `unassigned`). */
  takes_unassigned: boolean;
  /** Tasks it has finished, and the time it spent on them: its throughput. */
  tasks_done: number;
  busy_ms: number;
  /**
   * When recovery last took a claim back from it (its lease passed, or its session ended and the
   * grace period passed); null or absent if never. With last_seen_ms before it, the agent lost its
   * claim while silent and has not called since.
   */
  claim_lost_at_ms?: number | null;
}

/** Tunable time constants of the controller; every one is in milliseconds of the caller's clock. */
export interface RebalanceSettings {
  /**
   * How long a spawned agent takes to start working (lead's reaction, Codex spawn, join).
   * @default 30_000
   */
  spawn_lead_ms: number;
  /**
   * Work expected to become ready within this horizon is staffed now, so the new agent is there in
   * time. Several times spawn_lead_ms: a task's dependants are reckoned ready when its role's mean
   * duration has passed (and never sooner than a quarter of it from now), while it may end well
   * before that; a horizon of one start lead almost never staffs ahead.
   * @default 300_000
   */
  spawn_horizon_ms: number;
  /**
   * An idle agent is kept while work it can take is expected within this horizon: letting it go
   * and spawning anew later costs a start latency, often on the critical path, and one more agent
   * that may fail. Longer than spawn_horizon_ms: the gap between the two is
   * one half of the hysteresis. Beside a chain, where no two tasks run at once, an idle agent is
   * kept only for work within spawn_horizon_ms.
   * @default 1_200_000
   */
  keep_horizon_ms: number;
  /**
   * An idle agent with nothing to do within keep_horizon_ms is retired only after it has been
   * such a surplus, without a break, for this long: the other half of the hysteresis.
   * @default 30_000
   */
  retire_after_ms: number;
  /**
   * A spawn is worth it only when the new agent would start a task at least this much sooner than
   * any agent already there.
   * @default 30_000
   */
  spawn_gain_ms: number;
  /**
   * An agent not heard from for this long counts for nothing (it may be stalled). Once recovery has
   * taken its claim back and it is still silent, the lead closes it (`rebalance.retire.silent`);
   * otherwise recovery frees its slot after idle.agent_timeout_ms.
   * @default 45_000
   */
  silent_after_ms: number;
  /**
   * The burn counts only once it is measured over this much teammate slot time: a session's first
   * turn reads its whole prompt and the tool schemas, so a rate taken over its first seconds
   * overstates the steady burn many times over, and a ceiling cut on it retires agents that just
   * started.
   * @default 60_000
   */
  burn_window_ms: number;
}

/** The token budget as the controller reads it. */
export interface RebalanceBudget {
  used_tokens: number;
  /** Measured burn: tokens per agent per ms of slot time so far; null before it can be measured. */
  tokens_per_agent_ms: number | null;
  /** The teammate slot time the burn is measured over, in ms. */
  slot_ms: number;
}

/** Everything one rebalancing decision reads: plain data, the clock's `now` included. */
export interface RebalanceInput {
  now_ms: number;
  profile: Profile;
  /** The team's max_threads. */
  max_threads: number;
  /** A further cap from outside the team (the slots its team tree has left). */
  thread_cap?: number;
  tasks: readonly RebalanceTask[];
  /** The slot holders: invited and active teammates, the lead excluded. */
  agents: readonly RebalanceAgent[];
  durations: DurationModel;
  budget: RebalanceBudget;
  /** The decision before this one, for the hysteresis; null for the first. */
  previous: RebalanceDecision | null;
  settings?: Partial<RebalanceSettings>;
}

/** A stable rule name: what decided a directive, for the log and the audit trail. */
export type RebalanceRule =
  | 'rebalance.spawn.waiting_work'
  | 'rebalance.retire.surplus_idle'
  | 'rebalance.retire.make_room'
  | 'rebalance.retire.over_ceiling'
  | 'rebalance.retire.silent'
  | 'rebalance.next.critical_path_first';

/** Spawn `count` agents of `role` for the work in `task_ids`. */
export interface SpawnDirective {
  role: string;
  count: number;
  rule: RebalanceRule;
  reason: string;
  /** The tasks the new agents are for, most urgent first. */
  task_ids: string[];
}

/**
 * Retire `agent_id`: it has nothing to do (it is told on its next team_task_next). Under
 * `rebalance.retire.silent` it will not call again: the lead closes it (close_agent) to free its slot.
 */
export interface RetireDirective {
  agent_id: string;
  role: string;
  rule: RebalanceRule;
  reason: string;
  idle_ms: number;
}

/** The ready task an agent of `role` should claim next. */
export interface NextTaskDirective {
  role: string;
  task_id: string;
  critical_path_ms: number;
  priority: number;
  rule: RebalanceRule;
}

/**
 * An idle surplus agent, on notice or already told to retire: the hysteresis state carried to the
 * next decision (a retire takes effect only when the agent next asks for work or is closed).
 */
export interface RetireCandidate {
  agent_id: string;
  rule: RebalanceRule;
  /** Since when it has been a surplus without a break. */
  since_ms: number;
  /** When it is (or was) retired if it stays one. */
  retire_at_ms: number;
}

/** Work the controller would staff but cannot: no room under the ceiling, or a role nobody may spawn. */
export interface UnmetWork {
  role: string;
  task_ids: string[];
  reason: string;
}

/** What a decision read, in numbers, for its log line and audit record. */
export interface RebalanceFacts {
  tasks: { ready: number; in_progress: number; blocked: number; live: number; dead: number };
  agents: { starting: number; idle: number; busy: number; silent_ids: string[] };
  /** Expected ms of live work left, and the expected ms until it is all done with unlimited agents. */
  remaining_work_ms: number;
  remaining_critical_path_ms: number;
  /** Whether the live work is one chain: nothing can run in parallel. */
  chain: boolean;
  estimates_ms: Record<string, number>;
  used_tokens: number;
  tokens_per_agent_ms: number | null;
}

/** One rebalancing decision: directives as data, each with its rule and reason, and what was read. */
export interface RebalanceDecision {
  at_ms: number;
  /** min(profile threads.hard_cap, max_threads, thread cap, 6): never exceeded. */
  cap: number;
  /** The size the team may grow to now: the cap, shrunk by the fanout band, the budget and its burn. */
  ceiling: number;
  /** The team this decision aims at, by role: slot holders kept plus spawns. */
  desired_by_role: Record<string, number>;
  desired_total: number;
  spawn: SpawnDirective[];
  retire: RetireDirective[];
  next_task: NextTaskDirective[];
  retire_candidates: RetireCandidate[];
  unmet: UnmetWork[];
  facts: RebalanceFacts;
  /** How the ceiling and the team size were decided, one sentence each. */
  reasons: string[];
  /** The spawn and retire directives in a comparable form: what a caller announces once per change. */
  key: string;
  /** Whether `key` differs from the previous decision's. */
  changed: boolean;
}
