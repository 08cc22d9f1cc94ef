import { DEFAULT_REBALANCE_SETTINGS } from '@codex-team/scheduler';
import type { Fixture } from './harness.conformance';
import { complete, expectCode, newTasks } from './harness.conformance';

const MIN = 60_000;
const HOUR_LEASE = { leaseMs: 3_600_000 } as const;
const HYSTERESIS = DEFAULT_REBALANCE_SETTINGS.retire_after_ms;

/**
 * Runtime rebalancing: what the store supplies the controller (derived from rows and events), the
 * decisions it records (only when they change), the notices it sends the lead (once per change),
 * and the retire answer of team_task_next (compare-and-set on the agent as the decision saw it).
 */
export function describeRebalanceRules(fixture: () => Fixture): void {
  describe('rebalancing', () => {
    it('supplies the controller claim times, estimates, durations by role, agents busy or idle since when, and claims lost', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'implementer');
      const bob = await fx.addMember(t, 'bob', 'implementer');
      await fx.store.spawnAgent(t.lead, { name: 'cal', role: 'tester', joinTicketHash: fx.ticket('join') });
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { key: 'a', title: 'a', estimate_min: 30 },
          { key: 'b', title: 'b' },
          { key: 'c', title: 'c', depends_on: ['a'], required_role: 'tester' },
        ]),
      );
      const [a, b, c] = out.tasks.map((task) => task.id);
      const start = fx.clock.now();
      const claimA = await fx.store.claimTask(ann.actor, { task_id: a ?? '' }, HOUR_LEASE);
      fx.clock.advance(4 * MIN);
      await fx.store.completeTask(ann.actor, complete(a ?? '', claimA.fence));
      fx.clock.advance(MIN);
      const claimB = await fx.store.claimTask(bob.actor, { task_id: b ?? '' }, { leaseMs: MIN });
      fx.clock.advance(MIN);
      // bob's lease passes and recovery takes the claim back.
      await fx.store.applyRecovery({
        steps: [
          {
            kind: 'reclaim_task',
            teamId: t.team.id,
            taskId: b ?? '',
            to: 'ready',
            expect: { ownerAgentId: bob.agentId, fence: claimB.fence, leaseExpiresAt: start + 6 * MIN },
            rule: 'lease.expired',
            reason: 'the lease passed',
          },
        ],
      });
      const input = await fx.store.rebalanceInput(t.team.id);
      expect(input.now_ms).toBe(fx.clock.now());
      expect(input.max_threads).toBe(t.team.max_threads);
      expect(input.tasks.map((task) => [task.id, task.status, task.estimate_ms ?? null, task.claimed_at_ms])).toEqual([
        [a, 'done', 30 * MIN, null],
        [b, 'ready', null, null],
        [c, 'ready', null, null],
      ]);
      expect(input.tasks[2]?.depends_on).toEqual([a]);
      // Durations: a took 4 minutes, claim to completion; nothing else is done.
      expect(input.durations.by_role).toEqual({ '*': { mean_ms: 4 * MIN, samples: 1 } });
      const agents = Object.fromEntries(input.agents.map((agent) => [agent.id, agent]));
      expect(Object.keys(agents)).toHaveLength(3);
      expect(agents[ann.agentId]).toMatchObject({ state: 'idle', since_ms: start + 4 * MIN, tasks_done: 1, busy_ms: 4 * MIN, claim_lost_at_ms: null });
      expect(agents[bob.agentId]).toMatchObject({ state: 'idle', since_ms: start + 6 * MIN, tasks_done: 0, claim_lost_at_ms: start + 6 * MIN });
      const cal = input.agents.find((agent) => agent.role === 'tester');
      expect(cal).toMatchObject({ state: 'starting', since_ms: start, takes_unassigned: false });
      // A claim makes its holder busy since it was taken.
      fx.clock.advance(MIN);
      await fx.store.claimTask(bob.actor, { task_id: b ?? '' }, HOUR_LEASE);
      const later = await fx.store.rebalanceInput(t.team.id);
      expect(later.agents.find((agent) => agent.id === bob.agentId)).toMatchObject({ state: 'busy', since_ms: start + 7 * MIN });
      expect(later.tasks.find((task) => task.id === b)).toMatchObject({ owner_agent_id: bob.agentId, claimed_at_ms: start + 7 * MIN, lease_expires_at_ms: start + 67 * MIN });
    });

    it('records a decision only when it changes, and tells the lead once per change of directives', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 2 });
      await fx.store.createTasks(t.lead, newTasks([{ title: 'one' }, { title: 'two' }]));
      const first = await fx.store.rebalance(t.team.id, { notify: true });
      expect(first.recorded).toBe(true);
      expect(first.decision.spawn).toEqual([expect.objectContaining({ role: 'implementer', count: 2, rule: 'rebalance.spawn.waiting_work' })]);
      expect(first.notice?.to_agent_id).toBe(t.lead.agentId);
      expect(first.notice?.from_agent_id).toBeNull();
      expect(first.notice?.body).toContain('- spawn 2 implementer (rebalance.spawn.waiting_work)');
      const events = (await fx.audit(t.team.id)).filter((event) => event.action === 'rebalance.decide');
      expect(events).toHaveLength(1);
      expect(events[0]?.data['decision']).toMatchObject({ spawn: [expect.objectContaining({ count: 2 })], facts: expect.objectContaining({ tasks: expect.objectContaining({ ready: 2 }) }) });
      expect(events[0]?.reason).toContain('rebalance.spawn.waiting_work');
      // Unchanged: nothing written, however often it is asked, by the sweep or by the lead.
      fx.clock.advance(10_000);
      const before = await fx.snapshot();
      const again = await fx.store.rebalance(t.team.id, { notify: true });
      const asked = await fx.store.rebalance(t.team.id, { notify: false, actorAgentId: t.lead.agentId });
      expect([again.recorded, again.notice, asked.recorded, asked.notice]).toEqual([false, null, false, null]);
      expect(again.directives_since).toBe(first.decided_at);
      expect(await fx.snapshot()).toEqual(before);
      // A change the lead's own call finds is recorded, but it is told by its answer, not a notice.
      await fx.store.spawnAgent(t.lead, { name: 'ann', role: 'implementer', joinTicketHash: fx.ticket('join') });
      const changed = await fx.store.rebalance(t.team.id, { notify: false, actorAgentId: t.lead.agentId });
      expect(changed.recorded).toBe(true);
      expect(changed.notice).toBeNull();
      expect(changed.decision.spawn).toEqual([expect.objectContaining({ count: 1 })]);
      expect(changed.directives_since).toBe(fx.clock.now());
      expect((await fx.store.getStatus(t.lead)).unread_messages).toBe(1);
    });

    it("retires a surplus idle teammate by its next team_task_next once the hysteresis passed, and frees its slot", async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 1 });
      const ann = await fx.addMember(t, 'ann', 'implementer');
      // Nothing for ann to do: on notice first, with no directive yet.
      const onNotice = await fx.store.rebalance(t.team.id, { notify: true });
      expect(onNotice.decision.retire).toEqual([]);
      expect(onNotice.decision.retire_candidates).toEqual([expect.objectContaining({ agent_id: ann.agentId, rule: 'rebalance.retire.surplus_idle' })]);
      expect(onNotice.recorded).toBe(true);
      expect(onNotice.notice).toBeNull();
      expect((await fx.store.claimNextTask(ann.actor, HOUR_LEASE)).retire).toBeUndefined();
      fx.clock.advance(HYSTERESIS);
      const decided = await fx.store.rebalance(t.team.id, { notify: true });
      expect(decided.decision.retire.map((r) => [r.agent_id, r.rule])).toEqual([[ann.agentId, 'rebalance.retire.surplus_idle']]);
      expect(decided.notice?.body).toContain(`- retire ${ann.agentId} (implementer) (rebalance.retire.surplus_idle)`);
      // The slot is still held: the lead cannot spawn into it yet.
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.spawnAgent(t.lead, { name: 'rex', role: 'reviewer', joinTicketHash: 'rex-early' }));
      const answer = await fx.store.claimNextTask({ ...ann.actor, renewHeartbeat: true }, HOUR_LEASE);
      expect(answer.claim).toBeNull();
      expect(answer.retire).toBe('rebalance.retire.surplus_idle');
      expect(answer.reason).toMatch(/no work it may take.*end your turn/);
      const status = await fx.store.getStatus(t.lead);
      expect(status.agents.find((agent) => agent.id === ann.agentId)?.state).toBe('retired');
      expect(status.active_threads).toBe(0);
      const retire = (await fx.audit(t.team.id)).filter((event) => event.action === 'agent.retire');
      expect(retire.map((event) => [event.actor_agent_id, event.subject_id, event.data['rule']])).toEqual([[ann.agentId, ann.agentId, 'rebalance.retire.surplus_idle']]);
      // Its slot is free for a new spawn; the retired agent is bound no more.
      await fx.store.spawnAgent(t.lead, { name: 'rex', role: 'reviewer', joinTicketHash: fx.ticket('join') });
      await expect(fx.store.claimNextTask(ann.actor, HOUR_LEASE)).rejects.toMatchObject({ code: 'NOT_BOUND' });
    });

    it('retires no teammate the decision saw differently, nor one that now has work it may claim', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 2 });
      const ann = await fx.addMember(t, 'ann', 'implementer');
      const bob = await fx.addMember(t, 'bob', 'implementer');
      await fx.store.rebalance(t.team.id, { notify: true });
      fx.clock.advance(HYSTERESIS);
      const decided = await fx.store.rebalance(t.team.id, { notify: true });
      expect(decided.decision.retire.map((r) => r.agent_id).sort()).toEqual([ann.agentId, bob.agentId].sort());
      // ann did work since the decision: it is idle since later than the decision saw.
      const id = await fx.createTask(t.lead, { title: 'quick' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, HOUR_LEASE);
      fx.clock.advance(1_000);
      await fx.store.completeTask(ann.actor, complete(id, claim.fence));
      const annNext = await fx.store.claimNextTask(ann.actor, HOUR_LEASE);
      expect([annNext.claim, annNext.retire]).toEqual([null, undefined]);
      // bob has a task it may claim now: it claims it, the decision looks again later.
      const fresh = await fx.createTask(t.lead, { title: 'fresh' });
      const bobNext = await fx.store.claimNextTask(bob.actor, HOUR_LEASE);
      expect(bobNext.claim?.task.id).toBe(fresh);
      expect((await fx.store.getStatus(t.lead)).active_threads).toBe(2);
    });

    it('counts a teammate whose completion a quality gate blocked as busy: it keeps its claim and is never retired as idle', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 1 });
      const ann = await fx.addMember(t, 'ann', 'implementer');
      const id = await fx.createTask(t.lead, { title: 'reviewed work', risk: 'medium' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, HOUR_LEASE);
      const claimedAt = fx.clock.now();
      fx.clock.advance(MIN);
      await expectCode(fx.store.completeTask(ann.actor, complete(id, claim.fence)), 'HOOK_BLOCKED');
      await fx.store.rebalance(t.team.id, { notify: true });
      fx.clock.advance(HYSTERESIS);
      const decided = await fx.store.rebalance(t.team.id, { notify: true });
      expect((await fx.store.rebalanceInput(t.team.id)).agents).toEqual([expect.objectContaining({ id: ann.agentId, state: 'busy', since_ms: claimedAt })]);
      expect([decided.decision.retire, decided.decision.retire_candidates]).toEqual([[], []]);
      expect((await fx.store.claimNextTask(ann.actor, HOUR_LEASE)).retire).toBeUndefined();
    });

    it("decides a child team under the threads its tree leaves it, and a delegated task as the child's work, not the parent's", async () => {
      const fx = fixture();
      const root = await fx.startTeam({ maxThreads: 2 });
      const [a, b, c] = (
        await fx.store.createTasks(
          root.lead,
          newTasks([
            { title: 'part a', required_role: 'implementer' },
            { title: 'part b', required_role: 'implementer' },
            { title: 'part c', required_role: 'implementer' },
          ]),
        )
      ).tasks.map((task) => task.id);
      await fx.addMember(root, 'ann', 'implementer');
      const child = await fx.startChild(root.lead, [a ?? '', b ?? '']);
      // The child: two ready tasks, but the tree's cap of 2 has 1 slot left (ann holds the other).
      const inChild = await fx.store.rebalance(child.team.id, { notify: false, actorAgentId: root.lead.agentId });
      expect((await fx.store.rebalanceInput(child.team.id)).thread_cap).toBe(1);
      expect(inChild.decision.cap).toBe(1);
      expect(inChild.decision.spawn).toEqual([expect.objectContaining({ role: 'implementer', count: 1 })]);
      // The parent: a and b are the child's; c waits for ann, who is here and idle: nothing to spawn.
      const inParent = await fx.store.rebalance(root.team.id, { notify: false, actorAgentId: root.lead.agentId });
      expect(inParent.decision.facts.tasks).toMatchObject({ ready: 1, in_progress: 2 });
      expect(inParent.decision.spawn).toEqual([]);
      expect(inParent.decision.next_task.map((n) => n.task_id)).toEqual([c]);
    });

    it('rebalances no finalized team and refuses an unknown one', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await fx.createTask(t.lead, { title: 'left over' });
      await fx.store.finalizeTeam(t.lead, { summary: 'stopped', force: true });
      const outcome = await fx.store.rebalance(t.team.id, { notify: true });
      expect([outcome.recorded, outcome.notice]).toEqual([false, null]);
      await expect(fx.store.rebalance('tm_unknown' as typeof t.team.id, { notify: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
