import type { Fixture } from './harness.conformance';
import { LEASE, complete, newTasks } from './harness.conformance';

/** Task creation (DAG batches), listing and editing. */
export function describeTaskRules(fixture: () => Fixture, reverseIdFixture: () => Promise<Fixture>): void {
  describe('create tasks', () => {
    it('creates a DAG batch in input order with keys resolved and one task.create per task', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([
          { key: 'test', title: 'test it', depends_on: ['build'], required_role: 'tester', priority: 5 },
          { key: 'build', title: 'build it' },
          { title: 'ship it', depends_on: ['test', 'build', 'test'] },
        ]),
      );
      const [testTask, buildTask, shipTask] = out.tasks;
      expect(out.keys).toEqual({ test: testTask?.id, build: buildTask?.id });
      expect(out.tasks.map((task) => task.status)).toEqual(['blocked', 'ready', 'blocked']);
      expect(testTask).toMatchObject({
        title: 'test it',
        required_role: 'tester',
        priority: 5,
        depends_on: [buildTask?.id],
        fence: 0,
        attempts: 0,
        owner_agent_id: null,
        created_by: t.lead.agentId,
        lease_expires_at: null,
      });
      expect(shipTask?.depends_on).toEqual([testTask?.id, buildTask?.id]);
      const events = (await fx.audit(t.team.id)).filter((event) => event.action === 'task.create');
      expect(events.map((event) => event.subject_id)).toEqual(out.tasks.map((task) => task.id));
      expect(events[0]?.data['task']).toEqual(testTask);
    });

    it('makes a task ready when all its existing dependencies are done, blocked otherwise', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const first = await fx.createTask(t.lead, { title: 'first' });
      const other = await fx.createTask(t.lead, { title: 'other' });
      const claim = await fx.store.claimTask(t.lead, { task_id: first }, LEASE);
      await fx.store.completeTask(t.lead, complete(first, claim.fence));
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([{ title: 'after first', depends_on: [first] }, { title: 'after both', depends_on: [first, other] }]),
      );
      expect(out.tasks.map((task) => task.status)).toEqual(['ready', 'blocked']);
    });

    it('refuses bad batches and changes nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const other = await fx.startTeam();
      const foreign = await fx.createTask(other.lead, { title: 'theirs' });
      const cancelled = await fx.createTask(t.lead, { title: 'dropped' });
      await fx.store.updateTask(t.lead, { task_id: cancelled, cancel: true }, LEASE);
      const failed = await fx.createTask(t.lead, { title: 'broken' });
      const claim = await fx.store.claimTask(t.lead, { task_id: failed }, LEASE);
      await fx.store.completeTask(t.lead, complete(failed, claim.fence, { outcome: 'failed' }));

      const create = (tasks: Parameters<typeof newTasks>[0]) => () => fx.store.createTasks(t.lead, newTasks(tasks));
      await fx.expectRefused('INVALID_INPUT', create([{ key: 'a', title: 'a' }, { key: 'a', title: 'again' }]));
      await fx.expectRefused('NOT_FOUND', create([{ title: 'a', depends_on: ['nope'] }]));
      await fx.expectRefused('NOT_FOUND', create([{ title: 'a', depends_on: ['tk_zzzzzzzz'] }]));
      await fx.expectRefused('NOT_FOUND', create([{ title: 'a', depends_on: [foreign] }]));
      await fx.expectRefused('CYCLE_DETECTED', create([{ key: 'a', title: 'a', depends_on: ['a'] }]));
      await fx.expectRefused(
        'CYCLE_DETECTED',
        create([
          { key: 'a', title: 'a', depends_on: ['c'] },
          { key: 'b', title: 'b', depends_on: ['a'] },
          { key: 'c', title: 'c', depends_on: ['b'] },
          { key: 'd', title: 'd' },
        ]),
      );
      await fx.expectRefused('CONFLICT', create([{ title: 'a', depends_on: [cancelled] }]));
      await fx.expectRefused('CONFLICT', create([{ title: 'a', depends_on: [failed] }]));
    });
  });

  describe('list tasks', () => {
    it('lists in creation order whatever the ids, pages with after/next_after, and filters', async () => {
      const fx = await reverseIdFixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const out = await fx.store.createTasks(
        t.lead,
        newTasks(Array.from({ length: 7 }, (_, i) => ({ title: `task ${i}`, priority: i === 3 ? 9 : 0 }))),
      );
      const ids = out.tasks.map((task) => task.id);
      expect([...ids].sort()).toEqual([...ids].reverse());
      const claimed = await fx.store.claimNextTask(ann.actor, LEASE);
      expect(claimed.claim?.task.id).toBe(ids[3]);

      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await fx.store.listTasks(t.lead, { limit: 3, ...(after === undefined ? {} : { after }) });
        seen.push(...page.tasks.map((task) => task.id));
        if (page.next_after === null) break;
        after = page.next_after;
      }
      expect(seen).toEqual(ids);
      const inProgress = await fx.store.listTasks(ann.actor, { status: ['in_progress'] });
      expect(inProgress.tasks.map((task) => task.id)).toEqual([ids[3]]);
      const mine = await fx.store.listTasks(t.lead, { owner_agent_id: ann.agentId });
      expect(mine.tasks.map((task) => task.id)).toEqual([ids[3]]);
      const readyOrDone = await fx.store.listTasks(t.lead, { status: ['ready', 'done'], limit: 2 });
      expect(readyOrDone).toEqual({
        tasks: [expect.objectContaining({ id: ids[0] }), expect.objectContaining({ id: ids[1] })],
        next_after: ids[1],
      });
      await fx.expectRefused('INVALID_INPUT', () => fx.store.listTasks(t.lead, { after: 'tk_zzzzzzzz' }));
    });
  });

  describe('update tasks', () => {
    it('lets the holder report progress with its fence, renewing the lease', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'long job' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, LEASE);
      fx.clock.advance(45_000);
      const updated = await fx.store.updateTask(ann.actor, { task_id: id, fence: claim.fence, progress: 'half way' }, LEASE);
      expect(updated.task.progress).toBe('half way');
      expect(updated.lease_expires_at).toBe(new Date(fx.clock.now() + LEASE.leaseMs).toISOString());
      fx.clock.advance(45_000); // past the first lease, within the renewed one
      const renewed = await fx.store.updateTask(ann.actor, { task_id: id, fence: claim.fence }, LEASE);
      expect(renewed.task.progress).toBe('half way');
      expect((await fx.actions(t.team.id)).filter((a) => a === 'task.progress')).toHaveLength(2);
    });

    it('refuses progress from anyone but the live holder', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'job' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, LEASE);
      const update = (actor: typeof ann.actor, fence: number | undefined) => () =>
        fx.store.updateTask(actor, { task_id: id, progress: 'x', ...(fence === undefined ? {} : { fence }) }, LEASE);
      await fx.expectRefused('STALE_CLAIM', update(t.lead, claim.fence));
      await fx.expectRefused('STALE_CLAIM', update(ann.actor, claim.fence + 1));
      await fx.expectRefused('STALE_CLAIM', update(ann.actor, undefined));
      await fx.expectRefused('CONFLICT', () =>
        fx.store.updateTask(ann.actor, { task_id: id, fence: claim.fence, title: 'renamed' }, LEASE),
      );
      await fx.expectRefused('CONFLICT', () => fx.store.updateTask(t.lead, { task_id: id, cancel: true }, LEASE));
      fx.clock.advance(LEASE.leaseMs);
      await fx.expectRefused('STALE_CLAIM', update(ann.actor, claim.fence));
    });

    it('lets the creator or the lead edit and cancel a task that is not in progress', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'planner');
      const bob = await fx.addMember(t, 'bob');
      const id = await fx.createTask(ann.actor, { title: 'draft', required_role: 'tester' });
      const edited = await fx.store.updateTask(
        ann.actor,
        { task_id: id, title: 'final', description: 'more', priority: 7, required_role: null },
        LEASE,
      );
      expect(edited).toEqual({
        task: expect.objectContaining({ title: 'final', description: 'more', priority: 7, required_role: null, status: 'ready' }),
        lease_expires_at: null,
      });
      await fx.store.updateTask(t.lead, { task_id: id, priority: 1 }, LEASE);
      await fx.expectRefused('DENIED', () => fx.store.updateTask(bob.actor, { task_id: id, priority: 2 }, LEASE));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.updateTask(ann.actor, { task_id: id }, LEASE));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.updateTask(ann.actor, { task_id: id, cancel: false }, LEASE));
      await fx.expectRefused('CONFLICT', () => fx.store.updateTask(ann.actor, { task_id: id, progress: 'x' }, LEASE));
      await fx.expectRefused('STALE_CLAIM', () =>
        fx.store.updateTask(ann.actor, { task_id: id, fence: 0, priority: 3 }, LEASE),
      );
      const cancelled = await fx.store.updateTask(ann.actor, { task_id: id, cancel: true }, LEASE);
      expect(cancelled.task.status).toBe('cancelled');
      await fx.expectRefused('CONFLICT', () => fx.store.updateTask(t.lead, { task_id: id, title: 'revive' }, LEASE));
      await fx.expectRefused('NOT_FOUND', () => fx.store.updateTask(t.lead, { task_id: 'tk_zzzzzzzz', title: 'x' }, LEASE));
      expect((await fx.actions(t.team.id)).filter((a) => a.startsWith('task.'))).toEqual([
        'task.create',
        'task.edit',
        'task.edit',
        'task.cancel',
      ]);
    });
  });
}
