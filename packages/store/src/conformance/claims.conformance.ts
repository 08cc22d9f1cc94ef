import fc from 'fast-check';
import { CLAIM_ORDER, DEFAULT_DURATION_PRIOR_MS, claimRanks, learnDurations, selectNextTask, type DurationSample } from '@codex-team/scheduler';
import type { Fixture } from './harness.conformance';
import { LEASE, claimPermission, complete, newTasks, publish } from './harness.conformance';

/**
 * Claims, leases, fences, completion and release. `reverseIds` makes a store whose ids sort against
 * creation order, so claim order is shown to follow creation, not ids.
 */
/** A lease longer than the minutes the suite's tasks take on the fake clock. */
const LONG_LEASE = { leaseMs: 3_600_000 } as const;

export function describeClaimRules(fixture: () => Fixture, reverseIds: () => Promise<Fixture>): void {
  describe('claims', () => {
    it("claims in the scheduler's documented order: what selectNextTask picks from the team is what the store claims", async () => {
      expect(CLAIM_ORDER.map((key) => key.key)).toEqual(['critical_path', 'priority', 'creation']);
      const fx = await reverseIds();
      const spec = fc.record({
        priority: fc.integer({ min: 0, max: 3 }),
        role: fc.constantFrom(null, 'implementer', 'reviewer'),
        deps: fc.array(fc.nat(), { maxLength: 2 }),
        estimate: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        // Minutes the task takes once claimed: the store learns durations by role from them.
        takes: fc.integer({ min: 0, max: 40 }),
        // A failed task teaches nothing and leaves the work behind it dead, never to be ranked.
        fails: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 12 }), fc.constantFrom('implementer', 'reviewer'), fc.boolean(), async (specs, role, unassigned) => {
          const t = await fx.startTeam();
          const mate = await fx.addMember(t, 'mate', role);
          const created = await fx.store.createTasks(
            t.lead,
            newTasks(
              specs.map((task, index) => ({
                key: `k${index}`,
                title: `t${index}`,
                priority: task.priority,
                ...(task.role === null ? {} : { required_role: task.role }),
                ...(task.estimate === undefined ? {} : { estimate_min: task.estimate }),
                depends_on: index === 0 ? [] : [...new Set(task.deps.map((dep) => `k${dep % index}`))],
              })),
            ),
          );
          const takes = new Map(created.tasks.map((task, index) => [task.id, (specs[index]?.takes ?? 0) * 60_000]));
          const fails = new Set(created.tasks.filter((_task, index) => specs[index]?.fails === true).map((task) => task.id));
          // What the scheduler is told, independently of the store: each task's own estimate, and
          // the durations of the tasks done so far, claim to completion, by role.
          const samples: DurationSample[] = [];
          const permission = claimPermission(unassigned ? ['own_role', 'unassigned'] : ['own_role']);
          const kinds = { ownRole: true, unassigned };
          for (;;) {
            const tasks = (await fx.store.readTeam(t.team.id)).tasks.map((task) => ({ ...task, estimate_ms: task.estimate_min === undefined ? null : task.estimate_min * 60_000 }));
            const ranks = claimRanks(tasks, learnDurations(samples, DEFAULT_DURATION_PRIOR_MS));
            const expected = selectNextTask(tasks, role, ranks, kinds)?.id ?? null;
            const next = await fx.store.claimNextTask(mate.actor, { ...LONG_LEASE, permission });
            expect(next.claim?.task.id ?? null).toBe(expected);
            if (next.claim === null) break;
            const took = takes.get(next.claim.task.id) ?? 0;
            fx.clock.advance(took);
            const failed = fails.has(next.claim.task.id);
            if (!failed) samples.push({ required_role: next.claim.task.required_role, duration_ms: took });
            await fx.store.completeTask(mate.actor, complete(next.claim.task.id, next.claim.fence, { outcome: failed ? 'failed' : 'done' }));
          }
        }),
        { numRuns: 40, seed: 12 },
      );
    });

    it('claims the ready task the rest of the run waits on longest first, by size estimates and learned durations', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'implementer');
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { key: 'urgent', title: 'urgent leaf', priority: 9 },
          { key: 'head', title: 'chain head' },
          { key: 'tail', title: 'chain tail', depends_on: ['head'] },
          { key: 'big', title: 'big leaf', estimate_min: 45 },
        ]),
      );
      const [urgent, head, tail, big] = out.tasks.map((task) => task.id);
      expect(out.tasks[3]?.estimate_min).toBe(45);
      expect(out.tasks[0]).not.toHaveProperty('estimate_min');
      // Nothing done yet: each task without an estimate weighs the 10-minute prior, so the 45-minute
      // leaf beats the 20-minute chain, which beats the urgent 10-minute leaf.
      const first = await fx.store.claimNextTask(ann.actor, LONG_LEASE);
      expect(first.claim?.task.id).toBe(big);
      fx.clock.advance(60_000);
      await fx.store.completeTask(ann.actor, complete(big ?? '', first.claim?.fence ?? 0));
      // Implementation work is now known to take 1 minute: the chain (2) still beats the leaf (1).
      const second = await fx.store.claimNextTask(ann.actor, LEASE);
      expect(second.claim?.task.id).toBe(head);
      await fx.store.completeTask(ann.actor, complete(head ?? '', second.claim?.fence ?? 0));
      // Equal ranks: priority decides.
      expect((await fx.store.claimNextTask(ann.actor, LEASE)).claim?.task.id).toBe(urgent);
      expect((await fx.store.claimNextTask(ann.actor, LEASE)).claim?.task.id).toBe(tail);
    });

    it('ranks no work behind a failed task: it can never run', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'implementer');
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { key: 'f', title: 'fails', priority: 9 },
          { key: 'a', title: 'a' },
          { key: 'b', title: 'b' },
          { key: 'x', title: 'behind a and the failure', depends_on: ['f', 'a'] },
          { key: 'y', title: 'behind b', depends_on: ['b'] },
        ]),
      );
      const [f, , b] = out.tasks.map((task) => task.id);
      const first = await fx.store.claimNextTask(ann.actor, LEASE);
      expect(first.claim?.task.id).toBe(f);
      await fx.store.completeTask(ann.actor, complete(f ?? '', first.claim?.fence ?? 0, { outcome: 'failed', result: 'cannot' }));
      // x can never run, so a is a leaf now (rank 10 min) while b leads to y (20 min): b first.
      expect((await fx.store.claimNextTask(ann.actor, LEASE)).claim?.task.id).toBe(b);
    });

    it('claims the highest-priority, then oldest, of equally critical ready tasks for the role with fence, lease and audit', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'implementer');
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { title: 'low', priority: 1 },
          { title: 'for reviewers', priority: 50, required_role: 'reviewer' },
          { title: 'high old', priority: 10 },
          { title: 'high new', priority: 10 },
          { title: 'for implementers', priority: 5, required_role: 'implementer' },
        ]),
      );
      const ids = out.tasks.map((task) => task.id);
      const order: (string | undefined)[] = [];
      for (let i = 0; i < 4; i += 1) {
        const next = await fx.store.claimNextTask(ann.actor, LEASE);
        order.push(next.claim?.task.id);
      }
      expect(order).toEqual([ids[2], ids[3], ids[4], ids[0]]);
      const none = await fx.store.claimNextTask(ann.actor, LEASE);
      expect(none.claim).toBeNull();
      expect(none.reason).toMatch(/implementer/);
      expect(none.reason).toMatch(/1 ready/);
      expect(none.reason).toMatch(/4 in progress/);
      // The answer says how much is unfinished, so an idle agent need not read the team again.
      expect(none.open).toBe(5);

      const events = (await fx.audit(t.team.id)).filter((event) => event.action === 'task.claim');
      expect(events.map((event) => event.subject_id)).toEqual([ids[2], ids[3], ids[4], ids[0]]);
      expect(events[0]?.data['task']).toMatchObject({ status: 'in_progress', owner_agent_id: ann.agentId, fence: 1 });
    });

    it('answers open 0 with no claim once every task is finished, and no open with a claim', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.createTask(t.lead, { title: 'first' });
      await fx.createTask(t.lead, { title: 'second' });
      const first = await fx.store.claimNextTask(ann.actor, LEASE);
      expect(first.open).toBeUndefined();
      const second = await fx.store.claimNextTask(ann.actor, LEASE);
      // Both in progress: nothing to claim now, but two tasks are open, so waiting may bring work.
      expect(await fx.store.claimNextTask(ann.actor, LEASE)).toMatchObject({ claim: null, open: 2 });
      await fx.store.completeTask(ann.actor, complete(first.claim?.task.id ?? '', first.claim?.fence ?? 0));
      await fx.store.completeTask(ann.actor, complete(second.claim?.task.id ?? '', second.claim?.fence ?? 0, { outcome: 'failed', result: 'cannot' }));
      expect(await fx.store.claimNextTask(ann.actor, LEASE)).toMatchObject({ claim: null, open: 0 });
    });

    it('returns fence, owner, attempts and a lease of leaseMs from now', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'job' });
      const next = await fx.store.claimNextTask(ann.actor, { leaseMs: 30_000 });
      const leaseEnd = new Date(fx.clock.now() + 30_000).toISOString();
      expect(next.reason).toBeNull();
      expect(next.claim).toEqual({
        task: expect.objectContaining({
          id,
          status: 'in_progress',
          owner_agent_id: ann.agentId,
          fence: 1,
          attempts: 1,
          lease_expires_at: leaseEnd,
        }),
        fence: 1,
        lease_expires_at: leaseEnd,
      });
    });

    it('lets the lead claim only unassigned or lead tasks', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { title: 'review', required_role: 'reviewer', priority: 9 },
          { title: 'lead work', required_role: 'lead' },
          { title: 'any' },
        ]),
      );
      expect((await fx.store.claimNextTask(t.lead, LEASE)).claim?.task.id).toBe(out.tasks[1]?.id);
      expect((await fx.store.claimNextTask(t.lead, LEASE)).claim?.task.id).toBe(out.tasks[2]?.id);
      expect((await fx.store.claimNextTask(t.lead, LEASE)).claim).toBeNull();
      await fx.expectRefused('DENIED', () => fx.store.claimTask(t.lead, { task_id: out.tasks[0]?.id ?? '' }, LEASE));
    });

    it('claims a given ready task and refuses tasks that are not ready, of another role or team', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const other = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'tester');
      const foreign = await fx.createTask(other.lead, { title: 'theirs' });
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }, { title: 'c', required_role: 'reviewer' }]),
      );
      const [a, b, c] = out.tasks.map((task) => task.id);
      const claim = await fx.store.claimTask(ann.actor, { task_id: a ?? '' }, LEASE);
      expect(claim.fence).toBe(1);
      const inProgress = await fx.expectRefused('CONFLICT', () => fx.store.claimTask(t.lead, { task_id: a ?? '' }, LEASE));
      expect(inProgress.details).toMatchObject({ status: 'in_progress' });
      const blocked = await fx.expectRefused('CONFLICT', () => fx.store.claimTask(ann.actor, { task_id: b ?? '' }, LEASE));
      expect(blocked.details).toMatchObject({ status: 'blocked' });
      await fx.expectRefused('DENIED', () => fx.store.claimTask(ann.actor, { task_id: c ?? '' }, LEASE));
      await fx.expectRefused('NOT_FOUND', () => fx.store.claimTask(ann.actor, { task_id: foreign }, LEASE));
    });
  });

  describe('leases and fences', () => {
    it('refuses the holder itself once its lease has passed (STALE_CLAIM), changing nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'job' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, LEASE);
      fx.clock.advance(LEASE.leaseMs - 1);
      await fx.store.updateTask(ann.actor, { task_id: id, fence: claim.fence }, { leaseMs: 1 });
      fx.clock.advance(1);
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(ann.actor, complete(id, claim.fence)));
      await fx.expectRefused('STALE_CLAIM', () =>
        fx.store.releaseTask(ann.actor, { task_id: id, fence: claim.fence, reason: 'too late' }),
      );
      await fx.expectRefused('STALE_CLAIM', () =>
        fx.store.publishArtifact(ann.actor, publish('notes', 'x', { task_id: id, fence: claim.fence })),
      );
    });

    it('refuses a stale fence, another agent, and a completion without the claim', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bob = await fx.addMember(t, 'bob');
      const id = await fx.createTask(t.lead, { title: 'job' });
      const first = await fx.store.claimTask(ann.actor, { task_id: id }, LEASE);
      await fx.store.releaseTask(ann.actor, { task_id: id, fence: first.fence, reason: 'handing over' });
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(ann.actor, complete(id, first.fence)));
      const second = await fx.store.claimTask(bob.actor, { task_id: id }, LEASE);
      expect(second.fence).toBe(first.fence + 1);
      expect(second.task.attempts).toBe(2);
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(ann.actor, complete(id, second.fence)));
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(bob.actor, complete(id, first.fence)));
      await fx.store.completeTask(bob.actor, complete(id, second.fence));
    });

    it('releases a claim back to the ready pool without owner or lease', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'job' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, LEASE);
      const released = await fx.store.releaseTask(ann.actor, { task_id: id, fence: claim.fence, reason: 'blocked on access' });
      expect(released.task).toMatchObject({ status: 'ready', owner_agent_id: null, lease_expires_at: null, fence: 1 });
      const events = (await fx.audit(t.team.id)).filter((event) => event.action === 'task.release');
      expect(events).toHaveLength(1);
      expect(events[0]?.reason).toBe('blocked on access');
    });
  });

  describe('completion', () => {
    it('completes once and unblocks exactly the dependants whose dependencies are all done', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { key: 'a', title: 'a' },
          { key: 'b', title: 'b' },
          { key: 'c', title: 'c', depends_on: ['a', 'b'] },
          { key: 'd', title: 'd', depends_on: ['a'] },
        ]),
      );
      const [a, b, c, d] = out.tasks.map((task) => task.id);
      const claimA = await fx.store.claimTask(ann.actor, { task_id: a ?? '' }, LEASE);
      const doneA = await fx.store.completeTask(ann.actor, complete(a ?? '', claimA.fence, { result: 'a works' }));
      expect(doneA.task).toMatchObject({ status: 'done', result: 'a works', lease_expires_at: null });
      expect(doneA.task.completed_at).not.toBeNull();
      expect(doneA.unblocked_task_ids).toEqual([d]);
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(ann.actor, complete(a ?? '', claimA.fence)));
      const claimB = await fx.store.claimTask(ann.actor, { task_id: b ?? '' }, LEASE);
      const doneB = await fx.store.completeTask(ann.actor, complete(b ?? '', claimB.fence));
      expect(doneB.unblocked_task_ids).toEqual([c]);
      const events = (await fx.audit(t.team.id)).filter((event) => event.action === 'task.complete');
      expect(events).toHaveLength(2);
      expect(events[1]?.data['unblocked_tasks']).toEqual([expect.objectContaining({ id: c, status: 'ready' })]);
      expect((await fx.store.getStatus(t.lead)).tasks_by_status).toMatchObject({ done: 2, ready: 2, blocked: 0 });
    });

    it('fails a task without unblocking its dependants', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const out = await fx.store.createTasks(t.lead, newTasks([{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }]));
      const a = out.tasks[0]?.id ?? '';
      const claim = await fx.store.claimTask(t.lead, { task_id: a }, LEASE);
      const failed = await fx.store.completeTask(t.lead, complete(a, claim.fence, { outcome: 'failed', result: 'cannot' }));
      expect(failed).toEqual({ task: expect.objectContaining({ status: 'failed' }), unblocked_task_ids: [] });
      expect((await fx.actions(t.team.id)).slice(-1)).toEqual(['task.fail']);
      expect((await fx.store.getStatus(t.lead)).tasks_by_status).toMatchObject({ failed: 1, blocked: 1 });
    });

    it('accepts only artifacts of the team as evidence', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const other = await fx.startTeam();
      const theirs = await fx.store.publishArtifact(other.lead, publish('theirs', 'x'));
      const ours = await fx.store.publishArtifact(t.lead, publish('ours', 'y'));
      const id = await fx.createTask(t.lead, { title: 'job' });
      const claim = await fx.store.claimTask(t.lead, { task_id: id }, LEASE);
      await fx.expectRefused('NOT_FOUND', () =>
        fx.store.completeTask(t.lead, complete(id, claim.fence, { artifact_ids: [ours.id, theirs.id] })),
      );
      await fx.store.completeTask(t.lead, complete(id, claim.fence, { artifact_ids: [ours.id] }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.completeTask(other.lead, complete(id, claim.fence)));
    });
  });
}
