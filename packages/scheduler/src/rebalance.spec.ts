import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Profile } from '@codex-team/contracts';
import { FakeClock, thrownCode } from '@codex-team/contracts/testing';
import { parseProfile } from '@codex-team/policy-engine';
import { DEFAULT_REBALANCE_SETTINGS, decideRebalance } from './rebalance';
import type { RebalanceAgent, RebalanceDecision, RebalanceInput, RebalanceTask } from './rebalance-types';
import { learnDurations } from './task-durations';

const profile: Profile = parseProfile(readFileSync(join(__dirname, '../../../profiles/default.yaml'), 'utf8'), 'default.yaml');
const MIN = 60_000;
const durations = learnDurations([], 10 * MIN); // every task is expected to take 10 minutes
const { retire_after_ms: HYSTERESIS, spawn_horizon_ms: SPAWN_HORIZON, keep_horizon_ms: KEEP_HORIZON } = DEFAULT_REBALANCE_SETTINGS;

let clock: FakeClock;
beforeEach(() => {
  clock = new FakeClock();
});

let seq = 0;
const task = (id: string, over: Partial<RebalanceTask> = {}): RebalanceTask => ({
  id,
  status: 'ready',
  depends_on: [],
  required_role: null,
  priority: 0,
  owner_agent_id: null,
  seq: (seq += 1),
  claimed_at_ms: null,
  lease_expires_at_ms: null,
  ...over,
});
/** A task `agentId` has held for `heldMs`, its lease renewed. */
const held = (id: string, agentId: string, heldMs: number, over: Partial<RebalanceTask> = {}): RebalanceTask =>
  task(id, { status: 'in_progress', owner_agent_id: agentId, claimed_at_ms: clock.now() - heldMs, lease_expires_at_ms: clock.now() + 60_000, ...over });
const agent = (id: string, over: Partial<RebalanceAgent> = {}): RebalanceAgent => ({
  id,
  role: 'implementer',
  state: 'idle',
  since_ms: clock.now(),
  last_seen_ms: clock.now(),
  takes_unassigned: true,
  tasks_done: 0,
  busy_ms: 0,
  ...over,
});
const busy = (id: string, heldMs: number, over: Partial<RebalanceAgent> = {}): RebalanceAgent => agent(id, { state: 'busy', since_ms: clock.now() - heldMs, ...over });
const chain = (length: number, over: (i: number) => Partial<RebalanceTask> = () => ({})): RebalanceTask[] =>
  Array.from({ length }, (_, i) => task(`c${i + 1}`, { status: i === 0 ? 'ready' : 'blocked', depends_on: i === 0 ? [] : [`c${i}`], ...over(i) }));

function decide(over: Partial<RebalanceInput> = {}): RebalanceDecision {
  return decideRebalance({
    now_ms: clock.now(),
    profile,
    max_threads: 3,
    tasks: [],
    agents: [],
    durations,
    budget: { used_tokens: 0, tokens_per_agent_ms: null, slot_ms: 0 },
    previous: null,
    ...over,
  });
}
const spawned = (decision: RebalanceDecision): number => decision.spawn.reduce((n, s) => n + s.count, 0);

describe('decideRebalance: staffing', () => {
  it('spawns for ready work, the most critical first, up to the cap and never past it', () => {
    const tasks = [...chain(3), ...['x1', 'x2', 'x3', 'x4', 'x5'].map((id) => task(id))];
    const empty = decide({ tasks });
    expect(empty.cap).toBe(3);
    expect(empty.spawn).toEqual([expect.objectContaining({ role: 'implementer', count: 3, rule: 'rebalance.spawn.waiting_work', task_ids: ['c1', 'x1', 'x2'] })]);
    expect(empty.unmet).toEqual([{ role: 'implementer', task_ids: ['x3', 'x4', 'x5'], reason: 'no room: 0 of 3 slots held' }]);
    expect(empty.desired_total).toBe(3);

    // Two agents on their way take the two most critical tasks; one more slot is left.
    const starting = [agent('a1', { state: 'starting' }), agent('a2', { state: 'starting' })];
    expect(decide({ tasks, agents: starting }).spawn).toEqual([expect.objectContaining({ count: 1, task_ids: ['x2'] })]);
    const full = decide({ tasks, agents: [...starting, agent('a3', { state: 'starting' })] });
    expect(full.spawn).toEqual([]);
    expect(full.desired_total).toBe(3);
  });

  it('never decides above the cap, whatever the DAG, the agents and the budget', () => {
    const roles = [null, 'implementer', 'tester', 'reviewer'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ role: fc.constantFrom(...roles), dep: fc.nat(), status: fc.constantFrom('ready', 'blocked', 'done') }), { maxLength: 14 }),
        fc.array(fc.record({ role: fc.constantFrom('implementer', 'tester', 'reviewer'), state: fc.constantFrom('starting', 'idle', 'busy'), quiet: fc.nat(120_000) }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 17_000_000 }),
        (maxThreads, taskSpecs, agentSpecs, used) => {
          const tasks = taskSpecs.map((s, i) =>
            task(`t${i}`, { required_role: s.role, status: i === 0 && s.status === 'blocked' ? 'ready' : s.status, depends_on: i > 0 && s.status === 'blocked' ? [`t${s.dep % i}`] : [] }),
          );
          const agents = agentSpecs.slice(0, maxThreads).map((s, i) => agent(`a${i}`, { role: s.role, state: s.state, last_seen_ms: clock.now() - s.quiet, takes_unassigned: s.role === 'implementer' }));
          // Busy agents hold a task of their own.
          const claims = agents.filter((a) => a.state === 'busy').map((a) => held(`h-${a.id}`, a.id, 5 * MIN, { required_role: a.role }));
          const decision = decide({ tasks: [...tasks, ...claims], agents, max_threads: maxThreads, budget: { used_tokens: used, tokens_per_agent_ms: 0.02, slot_ms: 10 * MIN } });
          expect(decision.desired_total).toBeLessThanOrEqual(maxThreads);
          expect(agents.length - decision.retire.length + spawned(decision)).toBeLessThanOrEqual(maxThreads);
          expect(spawned(decision)).toBeLessThanOrEqual(Math.max(0, decision.ceiling - agents.length));
        },
      ),
    );
  });

  it('expects a task past its estimate to need more time, so ready work does not wait on it', () => {
    const decision = decide({ tasks: [held('slow', 'a1', 20 * MIN), task('next')], agents: [busy('a1', 20 * MIN)] });
    expect(decision.spawn).toEqual([expect.objectContaining({ count: 1, task_ids: ['next'] })]);
  });

  it('counts an agent not heard from for nothing, and leaves its slot to recovery', () => {
    const silent = busy('a1', 5 * MIN, { last_seen_ms: clock.now() - 2 * MIN });
    const returning = held('t1', 'a1', 5 * MIN, { lease_expires_at_ms: clock.now() + 10_000 });
    const alone = decide({ tasks: [returning], agents: [silent] });
    expect(alone.facts.agents.silent_ids).toEqual(['a1']);
    expect(alone.spawn).toEqual([expect.objectContaining({ count: 1, task_ids: ['t1'] })]);
    expect(alone.retire).toEqual([]);
    // An idle agent that is heard from takes the task when its lease passes: no spawn.
    expect(spawned(decide({ tasks: [returning], agents: [silent, agent('a2')] }))).toBe(0);
  });

  it('spawns the role a task requires and never a role nobody may spawn', () => {
    const decision = decide({ tasks: [task('review', { required_role: 'reviewer' }), task('mine', { required_role: 'lead' })] });
    expect(decision.spawn.map((s) => [s.role, s.count])).toEqual([['reviewer', 1]]);
    expect(decision.unmet).toEqual([]);
  });
});

describe('decideRebalance: chains', () => {
  it('does not spawn for a chain while an agent that may take its next task is here', () => {
    // c1 is nearly done, so c2 is about to be ready: the holder of c1 takes it.
    const tasks = chain(5, (i) => (i === 0 ? { status: 'in_progress', owner_agent_id: 'a1', claimed_at_ms: clock.now() - 9.9 * MIN } : {}));
    const decision = decide({ tasks, agents: [busy('a1', 9.9 * MIN)] });
    expect(decision.facts.chain).toBe(true);
    expect(decision.spawn).toEqual([]);
    expect(decision.reasons).toContain('the live work is one chain of 5 tasks and an agent that may take its next task is here: no spawn');
  });

  it('staffs a chain with one agent, and swaps roles rather than adding hands', () => {
    expect(spawned(decide({ tasks: chain(4) }))).toBe(1);
    const roles = chain(3, (i) => (i === 0 ? { status: 'done' } : { required_role: i === 1 ? 'tester' : 'reviewer' }));
    const swap = decide({ tasks: roles, agents: [agent('impl')] });
    expect(swap.spawn.map((s) => [s.role, s.count])).toEqual([['tester', 1]]);
    expect(swap.retire_candidates.map((c) => c.agent_id)).toEqual(['impl']);
  });

  it('spawns one agent for a chain, for its next task, even when the tasks after it are due within the spawn horizon', () => {
    // Two-minute tasks: c2 is due before a first agent could finish c1, which alone would be worth a second agent.
    const short = decide({ tasks: chain(3, () => ({ estimate_ms: 2 * MIN })) });
    expect(short.spawn).toEqual([expect.objectContaining({ role: 'implementer', count: 1, task_ids: ['c1'] })]);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.array(fc.integer({ min: 1, max: 20 * MIN }), { minLength: 8, maxLength: 8 }), (length, estimates) => {
        const decision = decide({ tasks: chain(length, (i) => ({ estimate_ms: estimates[i] ?? MIN })) });
        expect(spawned(decision)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never spawns for a chain whose next task an agent here may take, whatever the rest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.nat(7),
        fc.array(fc.constantFrom(null, 'tester'), { minLength: 8, maxLength: 8 }),
        fc.array(fc.constantFrom('starting', 'idle', 'busy'), { minLength: 1, maxLength: 3 }),
        (length, doneCount, roles, states) => {
          const done = Math.min(doneCount, length - 1);
          const tasks = chain(length, (i) => ({ required_role: roles[i] ?? null, status: i < done ? 'done' : i === done ? 'ready' : 'blocked' }));
          const next = tasks[done] as RebalanceTask;
          const agents = states.map((state, i) =>
            agent(`a${i}`, { state: state === 'busy' ? 'idle' : state, role: i === 0 ? (next.required_role ?? 'implementer') : 'reviewer', takes_unassigned: i === 0 }),
          );
          expect(decide({ tasks, agents }).spawn).toEqual([]);
        },
      ),
    );
  });
});

describe('decideRebalance: retiring with hysteresis (fake clock)', () => {
  it('retires an idle agent only once it has been a surplus for retire_after_ms without a break', () => {
    // a1 works on t1; t2 follows it in 10 minutes, and a1 will take it: a2 has nothing to do.
    const tasks = () => [held('t1', 'a1', 0), task('t2', { status: 'blocked', depends_on: ['t1'] })];
    const a2 = agent('a2');
    const agents = () => [busy('a1', 0), a2];
    const first = decide({ tasks: tasks(), agents: agents() });
    expect(first.retire).toEqual([]);
    expect(first.retire_candidates).toEqual([{ agent_id: 'a2', rule: 'rebalance.retire.surplus_idle', since_ms: clock.now(), retire_at_ms: clock.now() + HYSTERESIS }]);
    clock.advance(HYSTERESIS - 10_000);
    const second = decide({ tasks: tasks(), agents: agents(), previous: first });
    expect(second.retire).toEqual([]);
    expect(second.retire_candidates[0]?.since_ms).toBe(first.at_ms);
    clock.advance(10_000);
    const third = decide({ tasks: tasks(), agents: agents(), previous: second });
    expect(third.retire).toEqual([expect.objectContaining({ agent_id: 'a2', rule: 'rebalance.retire.surplus_idle' })]);
    expect(third.desired_total).toBe(1);
  });

  it('starts the hysteresis over when work shows up in between', () => {
    const base = () => [held('t1', 'a1', 0)];
    const agents = () => [busy('a1', 0), agent('a2')];
    const first = decide({ tasks: base(), agents: agents() });
    clock.advance(20_000);
    const withWork = decide({ tasks: [...base(), task('t2')], agents: agents(), previous: first });
    expect(withWork.retire_candidates).toEqual([]);
    clock.advance(5_000);
    const again = decide({ tasks: base(), agents: agents(), previous: withWork });
    expect(again.retire_candidates[0]?.since_ms).toBe(clock.now());
    clock.advance(HYSTERESIS - 5_000);
    expect(decide({ tasks: base(), agents: agents(), previous: again }).retire).toEqual([]);
  });

  it('does not flap: keeps an agent for work within the keep horizon, spawns only for work within the spawn horizon', () => {
    // a1 went silent holding t1; its lease passes in 9 minutes and t1 returns to the pool. a3 works
    // on t2 until a minute after that, so the live work is no chain and a3 is not free for t1 in time.
    const start = clock.now();
    const returnsIn = 9 * MIN;
    expect(SPAWN_HORIZON).toBeLessThan(returnsIn);
    expect(returnsIn).toBeLessThan(KEEP_HORIZON);
    const silent = busy('a1', 5 * MIN, { last_seen_ms: start - 2 * MIN });
    const tasks = [held('t1', 'a1', 5 * MIN, { lease_expires_at_ms: start + returnsIn }), held('t2', 'a3', 0, { lease_expires_at_ms: start + 20 * MIN })];
    const worker = () => busy('a3', clock.now() - start);
    const kept = decide({ tasks, agents: [silent, worker(), agent('a2')] });
    expect(kept.retire_candidates).toEqual([]);
    expect(kept.spawn).toEqual([]);
    // With a keep horizon short of t1's return, a2 would be on notice.
    const short = decide({ tasks, agents: [silent, worker(), agent('a2')], settings: { keep_horizon_ms: returnsIn - 1 } });
    expect(short.retire_candidates.map((c) => c.agent_id)).toEqual(['a2']);
    // Without a2, nobody is spawned that far ahead; only once the work is within the spawn horizon.
    expect(decide({ tasks, agents: [silent, worker()] }).spawn).toEqual([]);
    clock.advance(returnsIn - SPAWN_HORIZON - 1);
    expect(decide({ tasks, agents: [silent, worker()] }).spawn).toEqual([]);
    clock.advance(1);
    expect(decide({ tasks, agents: [silent, worker()] }).spawn).toEqual([expect.objectContaining({ count: 1, task_ids: ['t1'] })]);
  });

  it('counts on a busy agent no sooner than a quarter of its estimate from now', () => {
    // t1 should end in 30 s, which a new agent could not beat; but a1 is counted on only in 2.5 minutes.
    const decision = decide({ tasks: [held('t1', 'a1', 9.5 * MIN), task('t2')], agents: [busy('a1', 9.5 * MIN)] });
    expect(decision.spawn).toEqual([expect.objectContaining({ count: 1, task_ids: ['t2'] })]);
  });

  it('keeps an idle agent beside a chain no longer than it would spawn one ahead for its next task', () => {
    // impl -> test -> impl2: the tester has just claimed its test, so the implementer's next task is
    // ten minutes away: within the keep horizon, beyond the spawn horizon.
    const tasks = [
      task('impl', { status: 'done', required_role: 'implementer' }),
      held('test', 'tester', 0, { depends_on: ['impl'], required_role: 'tester' }),
      task('impl2', { status: 'blocked', depends_on: ['test'], required_role: 'implementer' }),
    ];
    const agents = [agent('implementer'), busy('tester', 0, { role: 'tester', takes_unassigned: false })];
    expect(10 * MIN).toBeGreaterThan(SPAWN_HORIZON);
    expect(10 * MIN).toBeLessThan(KEEP_HORIZON);
    const onChain = decide({ tasks, agents });
    expect(onChain.facts.chain).toBe(true);
    expect(onChain.retire_candidates.map((c) => c.agent_id)).toEqual(['implementer']);
    // Beside other work (a review) the same agent is kept for its next task.
    const review = held('review', 'reviewer', 0, { required_role: 'reviewer' });
    const beside = decide({ tasks: [...tasks, review], agents: [...agents, busy('reviewer', 0, { role: 'reviewer', takes_unassigned: false })] });
    expect(beside.facts.chain).toBe(false);
    expect(beside.retire_candidates).toEqual([]);
  });

  it('repeats nothing while nothing changes', () => {
    const input = { tasks: [task('t1')] };
    const first = decide(input);
    expect(first.changed).toBe(true);
    clock.advance(10_000);
    const second = decide({ ...input, previous: first });
    expect(second.key).toBe(first.key);
    expect(second.changed).toBe(false);
    const third = decide({ tasks: [task('t1')], agents: [agent('a1', { state: 'starting' })], previous: second });
    expect(third.changed).toBe(true);
  });

  it('makes room: an idle agent kept for later work gives its slot to ready work it may not take', () => {
    // With a long keep horizon the tester would be kept for its test, which waits on i1, which
    // waits on a slot the tester holds. Waiting work goes first.
    const settings = { keep_horizon_ms: 30 * MIN };
    const tasks = [
      held('i0', 'impl', 0, { required_role: 'implementer' }),
      task('i1', { required_role: 'implementer' }),
      task('test', { status: 'blocked', depends_on: ['i1'], required_role: 'tester' }),
    ];
    const agents = [busy('impl', 0), agent('tester', { role: 'tester', takes_unassigned: false })];
    const first = decide({ tasks, agents, max_threads: 2, settings });
    expect(first.unmet).toEqual([{ role: 'implementer', task_ids: ['i1'], reason: 'no room: 2 of 2 slots held' }]);
    expect(first.retire_candidates.map((c) => [c.agent_id, c.rule])).toEqual([['tester', 'rebalance.retire.make_room']]);
    clock.advance(HYSTERESIS);
    const second = decide({ tasks, agents, max_threads: 2, settings, previous: first });
    expect(second.retire).toEqual([expect.objectContaining({ agent_id: 'tester', rule: 'rebalance.retire.make_room' })]);
  });
});

describe('decideRebalance: silent agents (fake clock)', () => {
  const SILENT = DEFAULT_REBALANCE_SETTINGS.silent_after_ms;

  it('has the lead close, at once, an agent that lost its claim while silent and is still silent', () => {
    // a1 stalled: last heard 80 s ago, its lease passed 20 s ago and recovery took its claim back.
    const stalled = agent('a1', { since_ms: clock.now() - 20_000, last_seen_ms: clock.now() - 80_000, claim_lost_at_ms: clock.now() - 20_000 });
    const decision = decide({ tasks: [task('t1')], agents: [stalled] });
    expect(decision.retire).toEqual([expect.objectContaining({ agent_id: 'a1', rule: 'rebalance.retire.silent' })]);
    expect(decision.retire[0]?.reason).toContain('not heard from for 80000 ms');
    expect(decision.retire_candidates).toEqual([]);
    expect(decision.desired_by_role).toEqual({ implementer: 1 });
    expect(decision.facts.agents.silent_ids).toEqual(['a1']);
    // The slot is not free yet: the spawn for t1 needs room a later decision sees.
    expect(decide({ tasks: [task('t1')], agents: [stalled], max_threads: 1 }).spawn).toEqual([]);
  });

  it('closes no agent that calls again after losing its claim, nor one that is silent with no claim lost', () => {
    const calledSince = agent('back', { since_ms: clock.now() - 90_000, last_seen_ms: clock.now() - 10_000, claim_lost_at_ms: clock.now() - 90_000 });
    const parked = agent('parked', { since_ms: clock.now() - 5 * MIN, last_seen_ms: clock.now() - 5 * MIN });
    // Lost its claim while silent, but only just silent: not yet.
    const recent = agent('recent', { since_ms: clock.now() - 5_000, last_seen_ms: clock.now() - SILENT, claim_lost_at_ms: clock.now() - 5_000 });
    const decision = decide({ tasks: [task('t1'), task('t2'), task('t3')], agents: [calledSince, parked, recent] });
    expect(decision.retire.filter((r) => r.rule === 'rebalance.retire.silent')).toEqual([]);
    clock.advance(1);
    const later = decide({ tasks: [task('t1'), task('t2'), task('t3')], agents: [calledSince, parked, recent] });
    expect(later.retire.map((r) => [r.agent_id, r.rule])).toEqual([['recent', 'rebalance.retire.silent']]);
  });
  it('keeps counting an idle agent that waits without a word, and retires it when it is a surplus', () => {
    // A teammate that found no work ended its turn 5 minutes ago: silent, but holding nothing lost.
    const waiting = agent('waiting', { since_ms: clock.now() - 5 * MIN, last_seen_ms: clock.now() - 5 * MIN });
    const first = decide({ agents: [waiting] });
    expect(first.facts.agents.silent_ids).toEqual([]);
    expect(first.retire_candidates).toEqual([expect.objectContaining({ agent_id: 'waiting', rule: 'rebalance.retire.surplus_idle' })]);
    clock.advance(HYSTERESIS);
    const then = decide({ agents: [{ ...waiting }], previous: first });
    expect(then.retire.map((r) => [r.agent_id, r.rule])).toEqual([['waiting', 'rebalance.retire.surplus_idle']]);
    // Until it asks for work and is told, every later decision retires it again: no flapping back to notice.
    clock.advance(10_000);
    const still = decide({ agents: [waiting], previous: then });
    expect(still.retire.map((r) => r.agent_id)).toEqual(['waiting']);
    expect(still.key).toBe(then.key);
    // Waiting silently, it still takes ready work: no spawn for a task it may take.
    expect(decide({ tasks: [task('t1')], agents: [waiting] }).spawn).toEqual([]);
  });
});

describe('decideRebalance: budget', () => {
  const ready = Array.from({ length: 10 }, (_, i) => task(`t${i}`));

  it('shrinks with the soft budget and stops at the hard one, retiring idle agents at once', () => {
    const soft = decide({ tasks: ready, max_threads: 6, budget: { used_tokens: 12_000_000, tokens_per_agent_ms: null, slot_ms: 0 } });
    expect(soft.ceiling).toBe(3); // half the soft-to-hard margin left: half of 6
    expect(spawned(soft)).toBe(3);
    const agents = [agent('old', { since_ms: clock.now() - MIN }), agent('new'), busy('worker', MIN)];
    const hard = decide({ tasks: [...ready, held('w', 'worker', MIN)], agents, max_threads: 6, budget: { used_tokens: 16_000_000, tokens_per_agent_ms: null, slot_ms: 0 } });
    expect(hard.ceiling).toBe(0);
    expect(hard.spawn).toEqual([]);
    expect(hard.retire.map((r) => [r.agent_id, r.rule])).toEqual([
      ['old', 'rebalance.retire.over_ceiling'],
      ['new', 'rebalance.retire.over_ceiling'],
    ]);
  });

  it('staffs no more than the budget sustains when the burn would pass the hard budget', () => {
    // A 30-minute chain beside three 10-minute tasks: 60 minutes of work, average parallelism 2.
    const tasks = [...chain(3), task('x1'), task('x2'), task('x3')];
    const budgetProfile: Profile = { ...profile, budget: { soft_tokens: 20_000_000, hard_tokens: 20_000_000 } };
    const rate = 1_000 / MIN; // tokens per agent-ms
    const free = decide({ tasks, profile: budgetProfile, max_threads: 6, budget: { used_tokens: 0, tokens_per_agent_ms: rate, slot_ms: 10 * MIN } });
    expect(spawned(free)).toBe(4);
    // 100 agent-minutes left: 3 agents for the 30-minute critical path.
    const tight = decide({ tasks, profile: budgetProfile, max_threads: 6, budget: { used_tokens: 20_000_000 - 100_000, tokens_per_agent_ms: rate, slot_ms: 10 * MIN } });
    expect(tight.ceiling).toBe(3);
    expect(spawned(tight)).toBe(3);
    expect(tight.reasons.some((r) => r.startsWith('budget burn: 1000 tokens per agent-minute'))).toBe(true);
    // Not even the work itself fits: no fewer than its average parallelism, fewer would only be slower.
    const broke = decide({ tasks, profile: budgetProfile, max_threads: 6, budget: { used_tokens: 20_000_000 - 10_000, tokens_per_agent_ms: rate, slot_ms: 10 * MIN } });
    expect(broke.ceiling).toBe(2);
  });

  it('leaves out a burn measured over less than the window of slot time: a first turn is not a rate', () => {
    const tasks = [...chain(3), task('x1'), task('x2'), task('x3')];
    const budgetProfile: Profile = { ...profile, budget: { soft_tokens: 20_000_000, hard_tokens: 20_000_000 } };
    // Two sessions' first turns: 40k tokens over 2 s of slot time, 1.2M tokens per agent-minute "measured".
    const early = { used_tokens: 40_000, tokens_per_agent_ms: 40_000 / 2_000 };
    const startUp = decide({ tasks, profile: budgetProfile, max_threads: 6, budget: { ...early, slot_ms: 2_000 } });
    expect(startUp.ceiling).toBe(6);
    expect(spawned(startUp)).toBe(4);
    expect(startUp.reasons).toContain('budget burn not counted yet: measured over 2000 ms of slot time, under the window of 60000 ms');
    // The same rate over a full window is a rate: it cuts the ceiling.
    const measured = decide({ tasks, profile: budgetProfile, max_threads: 6, budget: { ...early, slot_ms: MIN } });
    expect(measured.ceiling).toBe(2);
    expect(measured.reasons.some((r) => r.startsWith('budget burn: 1200000 tokens per agent-minute'))).toBe(true);
  });
});

describe('decideRebalance: next task and determinism', () => {
  it('tells each role which ready task to take next: critical path first, then priority', () => {
    const tasks = [...chain(3), task('urgent', { priority: 9 }), task('review', { required_role: 'reviewer' })];
    const agents = [busy('impl', 0), agent('rev', { role: 'reviewer', takes_unassigned: false, state: 'busy' })];
    const decision = decide({ tasks, agents });
    expect(decision.next_task.map((n) => [n.role, n.task_id, n.critical_path_ms])).toEqual([
      ['implementer', 'c1', 30 * MIN],
      ['reviewer', 'review', 10 * MIN],
    ]);
    // Once the chain's head is gone, priority decides among equals.
    const later = decide({ tasks: [task('low', { priority: 1 }), task('urgent', { priority: 9 })], agents: [busy('impl', 0)] });
    expect(later.next_task[0]?.task_id).toBe('urgent');
  });

  it('decides the same whatever the order of its input', () => {
    const tasks = [...chain(4), task('x1', { required_role: 'tester' }), task('x2'), held('h', 'a1', 3 * MIN)];
    const agents = [busy('a1', 3 * MIN), agent('a2', { since_ms: clock.now() - MIN }), agent('a3', { role: 'tester', takes_unassigned: false })];
    const decision = decide({ tasks, agents });
    expect(decide({ tasks: [...tasks].reverse(), agents: [...agents].reverse() })).toEqual(decision);
  });

  it('refuses a negative setting or count', () => {
    expect(thrownCode(() => decide({ settings: { retire_after_ms: -1 } }))).toBe('INVALID_INPUT');
    expect(thrownCode(() => decide({ max_threads: -1 }))).toBe('INVALID_INPUT');
  });
});
