import {
  AgentSchema,
  ArtifactSchema,
  MessageSchema,
  TaskReviewSchema,
  TaskSchema,
  TeamError,
  TeamSchema,
  type Agent,
  type Artifact,
  type AuditEvent,
  type Message,
  type Task,
  type Team,
} from '@codex-team/contracts';
import { modeLapse } from '@codex-team/policy-engine';
import type { AckRecord, TaskReview, TeamSnapshot, UsageRecord } from '@codex-team/contracts';

type Row = { id: string };

/** The team as it applies at `now`: the rule of the store's reads (see teamRowAt), on the entity. */
function teamAt(team: Team, now: number): Team {
  const { mode } = team;
  const lapse = modeLapse({ current: mode.current, expiresAt: mode.expires_at === null ? null : Date.parse(mode.expires_at), returnsTo: mode.returns_to }, now);
  if (lapse === null) return team;
  return {
    ...team,
    mode: { current: lapse.to, set_by: null, reason: lapse.reason, set_at: mode.expires_at, expires_at: null, returns_to: null },
  };
}

/** Entity rows carried in an event's data under `key`: one row or a list of rows. */
function rowsOf(data: Record<string, unknown>, key: string): unknown[] {
  const value = data[key];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function upsert<T extends Row>(into: Map<string, T>, rows: readonly T[]): void {
  for (const row of rows) into.set(row.id, row);
}

function stringList(value: unknown, what: string, seq: number): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new TeamError('INTERNAL', `audit event ${seq}: ${what} is not a list of ids`);
  }
  return value;
}

/** The format of ReplayStateJson; a checkpoint of another format is refused, never guessed at. */
export const REPLAY_STATE_FORMAT = 1;

/**
 * A replay's whole state as JSON (what a checkpoint stores): every map in its insertion order, so
 * a state restored from it folds later events into exactly what one replay of every event gives.
 */
export interface ReplayStateJson {
  format: typeof REPLAY_STATE_FORMAT;
  /** The last event folded in (0: none). */
  upto_seq: number;
  team: Team | null;
  consensus_at: string | null;
  used_tokens: number;
  agents: Agent[];
  tasks: Task[];
  messages: Message[];
  artifacts: Artifact[];
  /** Agent id -> since, for the agents the idle sweep marked (unknown agents included). */
  idle_since: [string, string][];
  acks: AckRecord[];
  usage: UsageRecord[];
  /** Vote key (task/fence/reviewer) -> the vote, in the order votes were first cast. */
  reviews: [string, TaskReview][];
}

/**
 * The fold of a team's audit trail. Every state change's event carries the rows it changed as
 * they were afterwards, so folding them in seq order gives the latest row of everything; acks and
 * usage samples are facts added once. Decision events (`policy.fanout`, `policy.deny`), blocks
 * (`hook.block`) and checkpoints' own bookkeeping change no state. A state can be saved as JSON and folding goes on
 * from it: that is what a checkpoint is.
 */
export class ReplayState {
  private team: Team | null = null;
  private consensusAt: string | null = null;
  private usedTokens = 0;
  private readonly agents = new Map<string, Agent>();
  private readonly tasks = new Map<string, Task>();
  private readonly messages = new Map<string, Message>();
  private readonly artifacts = new Map<string, Artifact>();
  private readonly idleSince = new Map<string, string>();
  private readonly acks: AckRecord[] = [];
  private readonly usage: UsageRecord[] = [];
  // One vote per agent and claim: a later vote replaces the earlier one in its place.
  private readonly reviews = new Map<string, TaskReview>();
  private lastSeq = 0;

  /** The last event folded in (0: none). */
  get uptoSeq(): number {
    return this.lastSeq;
  }

  /**
   * Folds one event in. Throws TeamError `INTERNAL` on an event out of seq order (a replay must see
   * each event once, in order) or whose data does not have the shape its action promises.
   */
  apply(event: AuditEvent): void {
    if (event.seq <= this.lastSeq) {
      throw new TeamError('INTERNAL', `audit event ${event.seq} comes after ${this.lastSeq}: events must be replayed once, in seq order`);
    }
    this.lastSeq = event.seq;
    const { data } = event;
    const parse = <T>(schema: { parse(value: unknown): T }, value: unknown): T => {
      try {
        return schema.parse(value);
      } catch {
        throw new TeamError('INTERNAL', `audit event ${event.seq} (${event.action}) carries a malformed row`);
      }
    };
    for (const row of rowsOf(data, 'team')) this.team = parse(TeamSchema, row);
    upsert(this.agents, rowsOf(data, 'agent').map((row) => parse(AgentSchema, row)));
    // `tasks`: a child's tasks at its start, a parent's delegated tasks and its roll-up.
    for (const key of ['task', 'tasks', 'unblocked_tasks', 'cancelled_tasks']) {
      upsert(this.tasks, rowsOf(data, key).map((row) => parse(TaskSchema, row)));
    }
    upsert(this.messages, rowsOf(data, 'message').map((row) => parse(MessageSchema, row)));
    upsert(this.artifacts, rowsOf(data, 'artifact').map((row) => parse(ArtifactSchema, row)));

    switch (event.action) {
      case 'message.send':
        if (typeof data['consensus_at'] === 'string') this.consensusAt = data['consensus_at'];
        break;
      case 'message.ack': {
        const agentId = data['agent_id'];
        if (typeof agentId !== 'string') throw new TeamError('INTERNAL', `audit event ${event.seq}: ack without agent_id`);
        for (const id of stringList(data['message_ids'], 'message_ids', event.seq)) {
          this.acks.push({ message_id: id, agent_id: agentId, acked_at: event.at });
        }
        break;
      }
      case 'usage.report': {
        const record = data['usage'] as UsageRecord | undefined;
        if (record === undefined || typeof record.charged_tokens !== 'number') {
          throw new TeamError('INTERNAL', `audit event ${event.seq}: usage.report without usage`);
        }
        this.usage.push(record);
        this.usedTokens += record.charged_tokens;
        break;
      }
      case 'usage.measure': {
        const records = data['usage'] as UsageRecord[] | undefined;
        if (!Array.isArray(records) || records.some((record) => typeof record.charged_tokens !== 'number')) {
          throw new TeamError('INTERNAL', `audit event ${event.seq}: usage.measure without usage`);
        }
        for (const record of records) {
          this.usage.push(record);
          this.usedTokens += record.charged_tokens;
        }
        break;
      }
      case 'task.review': {
        const review = parse(TaskReviewSchema, data['review']);
        this.reviews.set(`${review.task_id}/${review.fence}/${review.reviewer_agent_id}`, review);
        break;
      }
      case 'agent.idle':
      case 'agent.active':
      case 'agent.retire': {
        const agentId = event.subject_id ?? '';
        const since = data['idle_since'];
        if (typeof since === 'string') this.idleSince.set(agentId, since);
        else this.idleSince.delete(agentId);
        break;
      }
      default:
        break;
    }
  }

  /**
   * The state in the shape of TeamStore.readTeam, so the two can be compared: a replay that
   * differs from the store means an event is missing or wrong. With `now`, the team's mode is as
   * it applies then, like every read of the store. Throws TeamError `INTERNAL` before `team.start`.
   */
  snapshot(options: { now?: number } = {}): TeamSnapshot {
    const team = this.team;
    if (team === null) throw new TeamError('INTERNAL', 'the audit trail has no team.start event');
    const idle_since: Record<string, string> = {};
    for (const agent of this.agents.values()) {
      const since = this.idleSince.get(agent.id);
      if (since !== undefined) idle_since[agent.id] = since;
    }
    return {
      team: options.now === undefined ? team : teamAt(team, options.now),
      consensus_at: this.consensusAt,
      used_tokens: this.usedTokens,
      agents: [...this.agents.values()],
      idle_since,
      tasks: [...this.tasks.values()],
      messages: [...this.messages.values()],
      acks: [...this.acks],
      artifacts: [...this.artifacts.values()],
      usage: [...this.usage],
      reviews: [...this.reviews.values()],
    };
  }

  toJson(): ReplayStateJson {
    return {
      format: REPLAY_STATE_FORMAT,
      upto_seq: this.lastSeq,
      team: this.team,
      consensus_at: this.consensusAt,
      used_tokens: this.usedTokens,
      agents: [...this.agents.values()],
      tasks: [...this.tasks.values()],
      messages: [...this.messages.values()],
      artifacts: [...this.artifacts.values()],
      idle_since: [...this.idleSince.entries()],
      acks: [...this.acks],
      usage: [...this.usage],
      reviews: [...this.reviews.entries()],
    };
  }

  /**
   * The state a checkpoint saved. The caller has checked the checkpoint's checksum, so the rows are
   * taken as written; a state of another format is refused (TeamError `INTERNAL`).
   */
  static fromJson(json: ReplayStateJson): ReplayState {
    if (json.format !== REPLAY_STATE_FORMAT) {
      throw new TeamError('INTERNAL', `a checkpoint state of format ${String(json.format)}; this version reads format ${REPLAY_STATE_FORMAT}`);
    }
    const state = new ReplayState();
    state.lastSeq = json.upto_seq;
    state.team = json.team;
    state.consensusAt = json.consensus_at;
    state.usedTokens = json.used_tokens;
    upsert(state.agents, json.agents);
    upsert(state.tasks, json.tasks);
    upsert(state.messages, json.messages);
    upsert(state.artifacts, json.artifacts);
    for (const [agentId, since] of json.idle_since) state.idleSince.set(agentId, since);
    state.acks.push(...json.acks);
    state.usage.push(...json.usage);
    for (const [key, review] of json.reviews) state.reviews.set(key, review);
    return state;
  }
}

/**
 * Rebuilds a team's state from its audit trail, in seq order, from nothing or (`from`) from a
 * checkpoint's state and the events after it: both give the same state (see ReplayState).
 * Throws TeamError `INTERNAL` on an event whose data does not have the shape its action promises.
 */
export function replayAuditTrail(events: readonly AuditEvent[], options: { now?: number; from?: ReplayState } = {}): TeamSnapshot {
  const state = options.from ?? new ReplayState();
  for (const event of events) state.apply(event);
  return state.snapshot(options.now === undefined ? {} : { now: options.now });
}
