import {
  AgentSchema,
  ArtifactSchema,
  MessageSchema,
  TaskReviewSchema,
  TaskSchema,
  TeamError,
  TeamSchema,
  type AuditEvent,
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

/**
 * Rebuilds a team's state from its audit trail, in seq order. Every state change's event carries
 * the rows it changed as they were afterwards, so folding them gives the latest row of everything;
 * acks and usage samples are facts added once. Decision events (`policy.fanout`, `policy.deny`)
 * change no state, nor do blocks (`hook.block`). The result has the shape of TeamStore.readTeam, so the two can be compared:
 * a replay that differs from the store means an event is missing or wrong.
 * With `now`, the team's mode is as it applies then, like every read of the store: a temporary
 * mode that lapsed before its lapse was recorded has already returned.
 * Throws TeamError `INTERNAL` on an event whose data does not have the shape its action promises.
 */
export function replayAuditTrail(events: readonly AuditEvent[], options: { now?: number } = {}): TeamSnapshot {
  let team: Team | null = null;
  let consensusAt: string | null = null;
  let usedTokens = 0;
  const agents = new Map<string, ReturnType<typeof AgentSchema.parse>>();
  const tasks = new Map<string, ReturnType<typeof TaskSchema.parse>>();
  const messages = new Map<string, ReturnType<typeof MessageSchema.parse>>();
  const artifacts = new Map<string, ReturnType<typeof ArtifactSchema.parse>>();
  const idleSince = new Map<string, string>();
  const acks: AckRecord[] = [];
  const usage: UsageRecord[] = [];
  // One vote per agent and claim: a later vote replaces the earlier one in its place.
  const reviews = new Map<string, TaskReview>();

  for (const event of events) {
    const { data } = event;
    const parse = <T>(schema: { parse(value: unknown): T }, value: unknown): T => {
      try {
        return schema.parse(value);
      } catch {
        throw new TeamError('INTERNAL', `audit event ${event.seq} (${event.action}) carries a malformed row`);
      }
    };
    for (const row of rowsOf(data, 'team')) team = parse(TeamSchema, row);
    upsert(agents, rowsOf(data, 'agent').map((row) => parse(AgentSchema, row)));
    // `tasks`: a child's tasks at its start, a parent's delegated tasks and its roll-up.
    for (const key of ['task', 'tasks', 'unblocked_tasks', 'cancelled_tasks']) {
      upsert(tasks, rowsOf(data, key).map((row) => parse(TaskSchema, row)));
    }
    upsert(messages, rowsOf(data, 'message').map((row) => parse(MessageSchema, row)));
    upsert(artifacts, rowsOf(data, 'artifact').map((row) => parse(ArtifactSchema, row)));

    switch (event.action) {
      case 'message.send':
        if (typeof data['consensus_at'] === 'string') consensusAt = data['consensus_at'];
        break;
      case 'message.ack': {
        const agentId = data['agent_id'];
        if (typeof agentId !== 'string') throw new TeamError('INTERNAL', `audit event ${event.seq}: ack without agent_id`);
        for (const id of stringList(data['message_ids'], 'message_ids', event.seq)) {
          acks.push({ message_id: id, agent_id: agentId, acked_at: event.at });
        }
        break;
      }
      case 'usage.report': {
        const record = data['usage'] as UsageRecord | undefined;
        if (record === undefined || typeof record.charged_tokens !== 'number') {
          throw new TeamError('INTERNAL', `audit event ${event.seq}: usage.report without usage`);
        }
        usage.push(record);
        usedTokens += record.charged_tokens;
        break;
      }
      case 'task.review': {
        const review = parse(TaskReviewSchema, data['review']);
        reviews.set(`${review.task_id}/${review.fence}/${review.reviewer_agent_id}`, review);
        break;
      }
      case 'agent.idle':
      case 'agent.active':
      case 'agent.retire': {
        const agentId = event.subject_id ?? '';
        const since = data['idle_since'];
        if (typeof since === 'string') idleSince.set(agentId, since);
        else idleSince.delete(agentId);
        break;
      }
      default:
        break;
    }
  }
  if (team === null) throw new TeamError('INTERNAL', 'the audit trail has no team.start event');
  const idle_since: Record<string, string> = {};
  for (const agent of agents.values()) {
    const since = idleSince.get(agent.id);
    if (since !== undefined) idle_since[agent.id] = since;
  }
  return {
    team: options.now === undefined ? team : teamAt(team, options.now),
    consensus_at: consensusAt,
    used_tokens: usedTokens,
    agents: [...agents.values()],
    idle_since,
    tasks: [...tasks.values()],
    messages: [...messages.values()],
    acks,
    artifacts: [...artifacts.values()],
    usage,
    reviews: [...reviews.values()],
  };
}
