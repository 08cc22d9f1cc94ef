import fc from 'fast-check';
import type { Agent, Artifact, AuditEvent, Message, Task, Team } from '@codex-team/contracts';
import { ReplayState, replayAuditTrail, type ReplayStateJson } from './audit-replay';
import { stateDigest } from './state-digest';

// replay(checkpoint + later events) must give exactly the state replay(all events) gives, for any
// trail: these streams are random folds of every kind of row and fact an event can carry, cut
// into checkpoints at random places, each checkpoint going through its JSON as the store keeps it.

const TEAM = 'tm_aaaaaaaaaaaaaaaa';
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${'abcdefgh'[i]?.repeat(16)}`);
const AGENTS = ids('ag', 4);
const TASKS = ids('tk', 6);
const MESSAGES = ids('ms', 5);
const ARTIFACTS = ids('af', 3);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const at = fc.integer({ min: 0, max: 86_400_000 }).map((ms) => new Date(T0 + ms).toISOString());
const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

const team = fc.record({ state: pick(['active', 'finalized'] as const), mode: pick(['default', 'delegate', 'plan'] as const), at }).map(
  ({ state, mode, at: when }): Team => ({
    id: TEAM,
    name: 'prop',
    objective: 'replay',
    state,
    lead_agent_id: AGENTS[0] as string,
    max_threads: 4,
    profile: 'default',
    created_at: new Date(T0).toISOString(),
    finalized_at: state === 'finalized' ? when : null,
    summary: state === 'finalized' ? 'done' : null,
    mode: { current: mode, set_by: null, reason: '', set_at: null, expires_at: null, returns_to: null },
  }),
);

const agent = fc.record({ id: pick(AGENTS), state: pick(['invited', 'active', 'disconnected', 'retired'] as const), at }).map(
  ({ id, state, at: when }): Agent => ({ id, team_id: TEAM, name: id.slice(3, 7), role: 'implementer', state, created_at: when, joined_at: null, last_seen_at: when }),
);

const task = fc
  .record({
    id: pick(TASKS),
    status: pick(['blocked', 'ready', 'in_progress', 'done', 'failed', 'cancelled'] as const),
    risk: pick(['low', 'medium', 'high'] as const),
    fence: fc.nat(5),
    result: fc.option(fc.string({ maxLength: 12 })),
    deps: fc.subarray(TASKS, { maxLength: 2 }),
    at,
  })
  .map(
    ({ id, status, risk, fence, result, deps, at: when }): Task => ({
      id,
      team_id: TEAM,
      title: `task ${id.slice(3, 6)}`,
      description: '',
      required_role: null,
      priority: fence,
      risk,
      status,
      depends_on: deps.filter((dep) => dep !== id),
      owner_agent_id: status === 'in_progress' ? (AGENTS[1] as string) : null,
      fence,
      lease_expires_at: status === 'in_progress' ? when : null,
      attempts: fence,
      progress: null,
      result,
      created_by: AGENTS[0] as string,
      created_at: when,
      updated_at: when,
      completed_at: status === 'done' ? when : null,
    }),
  );

const message = fc.record({ id: pick(MESSAGES), from: fc.option(pick(AGENTS)), to: fc.option(pick(AGENTS)), body: fc.string({ maxLength: 20 }), at }).map(
  ({ id, from, to, body, at: when }): Message => ({ id, team_id: TEAM, from_agent_id: from, to_agent_id: to, body, artifact_refs: [], task_id: null, created_at: when }),
);

const artifact = fc.record({ id: pick(ARTIFACTS), version: fc.integer({ min: 1, max: 3 }), at }).map(
  ({ id, version, at: when }): Artifact => ({
    id,
    team_id: TEAM,
    name: `a-${id.slice(3, 5)}`,
    version,
    media_type: 'text/plain',
    sha256: 'a'.repeat(64),
    size_bytes: version,
    task_id: null,
    plan: false,
    tests: version === 2,
    published_by: AGENTS[1] as string,
    created_at: when,
  }),
);

/** One event's action and data, before it gets its seq. */
type Change = { action: string; subject_id?: string | null; data: Record<string, unknown> };

const change: fc.Arbitrary<Change> = fc.oneof(
  team.map((row) => ({ action: 'mode.set', data: { team: row } })),
  agent.map((row) => ({ action: 'agent.heartbeat', data: { agent: row } })),
  task.map((row) => ({ action: 'task.complete', data: { task: row } })),
  fc.tuple(task, fc.array(task, { maxLength: 2 })).map(([row, unblocked]) => ({ action: 'task.complete', data: { task: row, unblocked_tasks: unblocked } })),
  fc.array(task, { maxLength: 3 }).map((rows) => ({ action: 'team.finalize', data: { cancelled_tasks: rows } })),
  fc.tuple(message, fc.option(at)).map(([row, consensus]) => ({ action: 'message.send', data: { message: row, ...(consensus === null ? {} : { consensus_at: consensus }) } })),
  fc.tuple(pick(AGENTS), fc.subarray(MESSAGES, { minLength: 1 })).map(([agentId, messageIds]) => ({ action: 'message.ack', data: { agent_id: agentId, message_ids: messageIds } })),
  fc.tuple(pick(AGENTS), fc.nat(1_000), fc.nat(1_000), at).map(([agentId, input, output, when]) => ({
    action: 'usage.report',
    data: { usage: { seq: input, agent_id: agentId, task_id: null, input_tokens: input, output_tokens: output, cached_input_tokens: 0, charged_tokens: input + output, at: when } },
  })),
  fc.tuple(pick(['agent.idle', 'agent.active', 'agent.retire'] as const), pick(AGENTS), fc.option(at)).map(([action, agentId, since]) => ({
    action,
    subject_id: agentId,
    data: { idle_since: since },
  })),
  artifact.map((row) => ({ action: 'artifact.publish', data: { artifact: row } })),
  // A later vote of the same agent on the same claim replaces the earlier one in its place.
  fc.tuple(pick(TASKS), fc.integer({ min: 1, max: 2 }), pick(AGENTS), pick(['approve', 'reject'] as const), at).map(([taskId, fence, reviewer, verdict, when]) => ({
    action: 'task.review',
    subject_id: taskId,
    data: { review: { task_id: taskId, fence, reviewer_agent_id: reviewer, verdict, at: when } },
  })),
  artifact.map((row) => ({ action: 'team.checkpoint', data: { artifact: row, checkpoint: { number: 1 } } })),
  fc.constant({ action: 'policy.fanout', data: { spawn: [] } }),
);

/** A team's trail: its start, then the changes, with seqs that grow by random steps (other teams' events in between). */
const trail: fc.Arbitrary<AuditEvent[]> = fc
  .tuple(team, agent, fc.array(fc.tuple(change, fc.integer({ min: 1, max: 3 })), { maxLength: 60 }))
  .map(([start, lead, changes]) => {
    let seq = 1;
    const event = (c: Change): AuditEvent => ({
      seq,
      team_id: TEAM,
      at: new Date(T0 + seq).toISOString(),
      actor_agent_id: null,
      action: c.action,
      subject_id: c.subject_id ?? null,
      decision: 'allow',
      reason: c.action,
      data: c.data,
    });
    const events = [event({ action: 'team.start', data: { team: { ...start, state: 'active' }, agent: { ...lead, id: AGENTS[0] } } })];
    for (const [c, step] of changes) {
      seq += step;
      events.push(event(c));
    }
    return events;
  });

/** Where a trail is cut into checkpoints: sorted, distinct, within the trail. */
const cuts = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length) }), { maxLength: 4 }).map((xs) => xs.sort((a, b) => a - b));

/** A checkpoint as the store keeps it: the state's JSON, parsed again when read. */
const throughJson = (state: ReplayState, save: (state: ReplayState) => ReplayStateJson): ReplayState =>
  ReplayState.fromJson(JSON.parse(JSON.stringify(save(state))) as ReplayStateJson);

/** Replays through checkpoints at `at` (event counts), each saved with `save`, then the rest. */
function replayThroughCheckpoints(events: readonly AuditEvent[], at: readonly number[], save: (state: ReplayState) => ReplayStateJson) {
  let state = new ReplayState();
  let done = 0;
  for (const cut of at) {
    for (const event of events.slice(done, cut)) state.apply(event);
    done = cut;
    state = throughJson(state, save);
  }
  for (const event of events.slice(done)) state.apply(event);
  return state.snapshot();
}

const faithful = (state: ReplayState): ReplayStateJson => state.toJson();

function sameStateProperty(save: (state: ReplayState) => ReplayStateJson) {
  return fc.property(
    trail.chain((events) => fc.tuple(fc.constant(events), cuts(events.length))),
    ([events, at]) => stateDigest(replayThroughCheckpoints(events, at, save)) === stateDigest(replayAuditTrail(events)),
  );
}

describe('replay from checkpoints', () => {
  it('gives exactly the state digest of a replay of every event, for random trails cut at random places', () => {
    fc.assert(sameStateProperty(faithful), { numRuns: 400 });
  });

  it('catches a checkpoint that drops part of the state (acks, idle marks, usage or reviews)', () => {
    const broken: ((json: ReplayStateJson) => ReplayStateJson)[] = [
      (json) => ({ ...json, acks: [] }),
      (json) => ({ ...json, idle_since: [] }),
      (json) => ({ ...json, usage: [], used_tokens: 0 }),
      (json) => ({ ...json, reviews: [] }),
      // Rows restored in another order: same rows, different state.
      (json) => ({ ...json, tasks: [...json.tasks].reverse() }),
    ];
    for (const lose of broken) {
      const result = fc.check(sameStateProperty((state) => lose(state.toJson())), { numRuns: 400 });
      expect(result.failed).toBe(true);
    }
  });

  it('refuses events out of seq order and a state of another format', () => {
    const state = new ReplayState();
    const start: AuditEvent = { seq: 5, team_id: TEAM, at: new Date(T0).toISOString(), actor_agent_id: null, action: 'policy.fanout', subject_id: null, decision: 'allow', reason: '', data: {} };
    state.apply(start);
    expect(() => state.apply(start)).toThrow(/seq order/);
    expect(() => ReplayState.fromJson({ ...state.toJson(), format: 2 as 1 })).toThrow(/format 2/);
  });
});
