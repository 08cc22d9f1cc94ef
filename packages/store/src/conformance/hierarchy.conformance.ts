import type { Actor } from '../team-store';
import { replayAuditTrail } from '../audit-replay';
import type { Fixture, TeamHandle } from './harness.conformance';
import { LEASE, complete, expectCode, publish, send } from './harness.conformance';

const SAMPLE = { input_tokens: 20, output_tokens: 10 };

/** The lead of `team` acting in `child` through the call's team argument. */
function into(lead: Actor, teamId: string): Actor {
  return { ...lead, inTeam: teamId };
}

/**
 * Child teams (docs/hierarchy.md): delegation and roll-up, scope by relation, depth, thread cap
 * and budget across the tree, finalize with live children, takeover and a lost child lead.
 */
export function describeHierarchyRules(fixture: () => Fixture): void {
  describe('team tree', () => {
    /** A root with two ready tasks (the second depends on nothing, a third on the first). */
    async function rootWithWork(fx: Fixture, options: { profile?: string; maxThreads?: number } = {}) {
      const root = await fx.startTeam(options);
      const a = await fx.createTask(root.lead, { title: 'build the parser', description: 'grammar in spec.md', required_role: 'implementer' });
      const b = await fx.createTask(root.lead, { title: 'write the docs' });
      const after = await fx.store.createTasks(root.lead, {
        tasks: [{ title: 'ship', description: '', priority: 0, depends_on: [a] }],
      });
      return { root, a, b, after: after.tasks[0]?.id ?? '' };
    }

    it('starts a child that holds the delegated tasks and gets their briefs; a lead it plays holds no thread', async () => {
      const fx = fixture();
      const { root, a } = await rootWithWork(fx);
      const before = (await fx.store.readTeam(root.team.id)).tasks.find((task) => task.id === a);
      const child = await fx.startChild(root.lead, [a], { tokens: 1_000 });
      expect(child.team).toMatchObject({ name: `${root.team.name}.1`, parent_team_id: root.team.id, budget_tokens: 1_000, state: 'active' });
      const parent = await fx.store.readTeam(root.team.id);
      const held = parent.tasks.find((task) => task.id === a);
      expect(held).toMatchObject({ status: 'in_progress', owner_agent_id: null, lease_expires_at: null, delegated_to: child.team.id, fence: (before?.fence ?? 0) + 1 });
      const mine = await fx.store.readTeam(child.team.id);
      expect(mine.tasks.map((task) => [task.title, task.status, task.required_role])).toEqual([['build the parser', 'ready', 'implementer']]);
      expect(mine.tasks[0]?.description).toContain(`Delegated from task ${a}`);
      expect(mine.agents).toEqual([expect.objectContaining({ role: 'lead', state: 'active', principal_agent_id: root.lead.agentId })]);
      // Nobody in the parent can finish or give back a task the child holds.
      const ann = await fx.addMember(root, 'ann');
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(ann.actor, complete(a, held?.fence ?? 0)));
      await fx.expectRefused('CONFLICT', () => fx.store.claimTask(ann.actor, { task_id: a }, LEASE));
      expect((await fx.store.getStatus(root.lead)).active_threads).toBe(1);
      // One event in each trail; the replay of each trail is the store's own view.
      expect((await fx.actions(root.team.id)).slice(-4)).toEqual(['task.create', 'team.delegate', 'agent.spawn', 'agent.join']);
      expect(await fx.actions(child.team.id)).toEqual(['team.start']);
      for (const team of [root.team.id, child.team.id]) {
        expect(replayAuditTrail(await fx.audit(team), { now: fx.clock.now() })).toEqual(await fx.store.readTeam(team));
      }
    });

    it('refuses to delegate what is not a ready task of the team, changing nothing', async () => {
      const fx = fixture();
      const { root, a, after } = await rootWithWork(fx);
      const other = await fx.startTeam();
      const foreign = await fx.createTask(other.lead, { title: 'theirs' });
      await fx.expectRefused('CONFLICT', () => fx.store.startChild(root.lead, { tasks: [after] }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.startChild(root.lead, { tasks: [foreign] }));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.startChild(root.lead, { tasks: [a, a] }));
      const ann = await fx.addMember(root, 'ann');
      await fx.expectRefused('DENIED', () => fx.store.startChild(ann.actor, { tasks: [a] }));
    });

    it("limits depth by the profile's hierarchy.max_depth, audited like any policy refusal", async () => {
      const fx = fixture();
      const root = await fx.startTeam();
      const t1 = await fx.createTask(root.lead, { title: 'level 1' });
      const c1 = await fx.startChild(root.lead, [t1]);
      const t2 = await fx.createTask(c1.lead, { title: 'level 2' });
      const c2 = await fx.startChild(c1.lead, [t2]);
      expect(c2.team.name).toBe(`${root.team.name}.1.1`);
      const t3 = await fx.createTask(c2.lead, { title: 'level 3' });
      const refused = await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'hierarchy.max_depth', () => fx.store.startChild(c2.lead, { tasks: [t3] }));
      expect(refused.details).toMatchObject({ depth: 3, max_depth: 2 });
      // The same from the root's lead acting in that team (its team argument).
      await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'hierarchy.max_depth', () => fx.store.startChild(into(root.lead, c2.team.id), { tasks: [t3] }));
    });

    it('counts the threads of every team of the tree against the root cap at spawn, join and resume', async () => {
      const fx = fixture();
      const { root, a, b } = await rootWithWork(fx, { maxThreads: 2 });
      // A lead joining with its ticket is a thread of the tree, not of its team.
      const child = await fx.startChild(root.lead, [a], { ticket: true });
      expect((await fx.store.getStatus(child.lead)).active_threads).toBe(0);
      const ann = await fx.addMember(root, 'ann');
      const refused = await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.spawnAgent(child.lead, { name: 'cid', role: 'implementer', joinTicketHash: fx.ticket('join') }),
      );
      expect(refused.details).toMatchObject({ rule: 'hierarchy.tree_threads', used: 2, thread_cap: 2 });
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.spawnAgent(root.lead, { name: 'bob', role: 'implementer', joinTicketHash: fx.ticket('join') }));
      // A second child led by its ticket needs a slot too; one the lead plays does not.
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.startChild(root.lead, { tasks: [b], leadTicketHash: fx.ticket('join') }));
      await fx.startChild(root.lead, [b]);
      // Ann's session ends: her slot is free for the child; she cannot come back while it is taken.
      await fx.store.disconnectAgent(ann.binding, 'gone');
      const cid = await fx.addMember(child, 'cid');
      await expectCode(fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') }), 'LIMIT_EXCEEDED');
      await fx.store.disconnectAgent(cid.binding, 'gone');
      await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
      // The child's lead coming back after its session ended needs a slot of the tree as well.
      await fx.store.disconnectAgent(child.binding, 'gone');
      const dan = await fx.addMember(root, 'dan');
      await expectCode(fx.store.resumeAgent({ resumeTicketHash: child.resumeHash, nextResumeTicketHash: fx.ticket('resume') }), 'LIMIT_EXCEEDED');
      await fx.store.disconnectAgent(dan.binding, 'gone');
      await fx.store.resumeAgent({ resumeTicketHash: child.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
    });

    it("carves a child's budget from what its parent has left and refunds the rest when it finishes", async () => {
      const fx = fixture();
      const { root, a, b } = await rootWithWork(fx, { profile: 'broke' });
      await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'hierarchy.budget', () => fx.store.startChild(root.lead, { tasks: [a], tokens: 101 }));
      const child = await fx.startChild(root.lead, [a], { tokens: 60 });
      expect((await fx.store.getStatus(root.lead)).budget).toMatchObject({ committedTokens: 60, leftTokens: 40 });
      // The default carve is half of what is left.
      const second = await fx.startChild(root.lead, [b]);
      expect(second.team.budget_tokens).toBe(20);
      // The child is held to its carve: at 60 it may not claim.
      const cid = await fx.addMember(child, 'cid');
      const [task] = (await fx.store.listTasks(child.lead, {})).tasks;
      const claim = await fx.store.claimTask(cid.actor, { task_id: task?.id ?? '' }, LEASE);
      await fx.store.completeTask(cid.actor, complete(task?.id ?? '', claim.fence, { usage: { input_tokens: 50, output_tokens: 10 } }));
      const extra = await fx.createTask(child.lead, { title: 'more' });
      await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'budget.hard_tokens', () => fx.store.claimTask(cid.actor, { task_id: extra }, LEASE));
      await fx.store.finalizeTeam(child.lead, { summary: 'parser built', force: true });
      // 60 used by the child are charged to the parent, nothing of its carve is left to refund.
      expect((await fx.store.getStatus(root.lead)).budget).toMatchObject({ committedTokens: 80, leftTokens: 20 });
      await fx.store.finalizeTeam(second.lead, { summary: 'nothing done', force: true });
      // The second child used nothing: its whole carve of 20 comes back.
      const after = await fx.store.getStatus(root.lead);
      expect(after.budget).toMatchObject({ committedTokens: 60, leftTokens: 40 });
      expect(after.team.rolled_up_tokens).toBe(60);
      const events = (await fx.audit(root.team.id)).filter((event) => event.action === 'team.rollup');
      expect(events.map((event) => event.reason)).toEqual([
        expect.stringContaining('60 tokens charged, 0 of the carve refunded'),
        expect.stringContaining('0 tokens charged, 20 of the carve refunded'),
      ]);
    });

    it('refuses to finalize a team with live children unless forced; forced, it cancels them deepest first', async () => {
      const fx = fixture();
      const { root, a } = await rootWithWork(fx);
      const child = await fx.startChild(root.lead, [a]);
      const deep = await fx.createTask(child.lead, { title: 'deeper' });
      const grandchild = await fx.startChild(child.lead, [deep]);
      const refused = await fx.expectRefused('CONFLICT', () => fx.store.finalizeTeam(root.lead, { summary: 'early', force: false }));
      expect(refused.details).toMatchObject({ rule: 'hierarchy.live_children', live_children: [child.team.id] });
      await fx.expectRefused('CONFLICT', () => fx.store.finalizeTeam(child.lead, { summary: 'early', force: false }));
      await fx.store.finalizeTeam(root.lead, { summary: 'stopping', force: true });
      for (const team of [root, child, grandchild]) expect((await fx.store.readTeam(team.team.id)).team.state).toBe('finalized');
      const finalizedAt = async (team: TeamHandle) => (await fx.audit(team.team.id)).find((event) => event.action === 'team.finalize')?.seq ?? 0;
      expect(await finalizedAt(grandchild)).toBeLessThan(await finalizedAt(child));
      expect(await finalizedAt(child)).toBeLessThan(await finalizedAt(root));
      expect((await fx.store.readTeam(root.team.id)).tasks.map((task) => task.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
      await expectCode(fx.store.createTasks(grandchild.lead, { tasks: [{ title: 'late', description: '', priority: 0, depends_on: [] }] }), 'TEAM_FINALIZED');
      for (const team of [root, child, grandchild]) {
        expect(replayAuditTrail(await fx.audit(team.team.id), { now: fx.clock.now() })).toEqual(await fx.store.readTeam(team.team.id));
      }
    });

    it("rolls a finished child up: its summary and artifacts are the delegated task's evidence, dependants unblock", async () => {
      const fx = fixture();
      const { root, a, after } = await rootWithWork(fx);
      const child = await fx.startChild(root.lead, [a], { ticket: true });
      const cid = await fx.addMember(child, 'cid');
      const [task] = (await fx.store.listTasks(cid.actor, {})).tasks;
      const claim = await fx.store.claimTask(cid.actor, { task_id: task?.id ?? '' }, LEASE);
      const notes = await fx.store.publishArtifact(cid.actor, publish('parser.md', 'grammar done', { task_id: task?.id ?? '', fence: claim.fence }));
      await fx.store.completeTask(cid.actor, complete(task?.id ?? '', claim.fence));
      await fx.store.finalizeTeam(child.lead, { summary: 'parser built; 40 tests pass', force: false });
      const parent = await fx.store.readTeam(root.team.id);
      const done = parent.tasks.find((row) => row.id === a);
      expect(done).toMatchObject({ status: 'done', delegated_to: child.team.id });
      expect(done?.result).toContain('parser built; 40 tests pass');
      expect(parent.tasks.find((row) => row.id === after)?.status).toBe('ready');
      const rollup = (await fx.audit(root.team.id)).find((event) => event.action === 'team.rollup');
      expect(rollup?.data['child']).toEqual({ team_id: child.team.id, outcome: 'done', spent_tokens: 0, artifact_ids: [notes.id] });
      expect(replayAuditTrail(await fx.audit(root.team.id), { now: fx.clock.now() })).toEqual(parent);
    });

    it("fails or returns the delegated tasks of a failed or cancelled child, as the parent's profile says", async () => {
      const fx = fixture();
      // default: return to the pool, delegation cleared; a parent teammate may then claim it.
      const one = await rootWithWork(fx);
      const child = await fx.startChild(one.root.lead, [one.a]);
      await fx.store.finalizeTeam(child.lead, { summary: 'gave up', force: true });
      const back = (await fx.store.readTeam(one.root.team.id)).tasks.find((task) => task.id === one.a);
      expect(back).toMatchObject({ status: 'ready', owner_agent_id: null });
      expect(back?.delegated_to).toBeUndefined();
      const ann = await fx.addMember(one.root, 'ann');
      await fx.store.claimTask(ann.actor, { task_id: one.a }, LEASE);
      // fast: fail; the ancestor cancelling it is a cancel.
      const two = await rootWithWork(fx, { profile: 'fast' });
      const cancelled = await fx.startChild(two.root.lead, [two.a], { ticket: true });
      await fx.store.finalizeTeam(into(two.root.lead, cancelled.team.id), { summary: 'not needed', force: true });
      expect((await fx.store.readTeam(two.root.team.id)).tasks.find((task) => task.id === two.a)).toMatchObject({ status: 'failed' });
      const rollup = (await fx.audit(two.root.team.id)).find((event) => event.action === 'team.rollup');
      expect(rollup?.data['child']).toMatchObject({ outcome: 'cancelled' });
      expect(rollup?.reason).toMatch(/^hierarchy\.on_child_failure: child team .* was cancelled/);
    });

    it('lets a lead see and steer its descendants, a child see its briefs and what was shared down, and hides the rest', async () => {
      const fx = fixture();
      const { root, a, b } = await rootWithWork(fx);
      const shared = await fx.store.publishArtifact(root.lead, publish('spec.md', 'the grammar', { task_id: a }));
      await fx.store.publishArtifact(root.lead, publish('secret.md', 'not for children'));
      const child = await fx.startChild(root.lead, [a], { ticket: true });
      const sibling = await fx.startChild(root.lead, [b], { ticket: true });
      const cid = await fx.addMember(child, 'cid');
      const ann = await fx.addMember(root, 'ann');
      const stranger = await fx.startTeam();
      // The child sees only its brief and what was tied to it.
      const briefs = await fx.store.listTasks(into(cid.actor, root.team.id), {});
      expect(briefs.tasks.map((task) => task.id)).toEqual([a]);
      expect((await fx.store.listArtifacts(into(cid.actor, root.team.id), {})).map((artifact) => artifact.id)).toEqual([shared.id]);
      await expectCode(fx.store.readArtifact(into(cid.actor, root.team.id), { name: 'secret.md' }), 'NOT_FOUND');
      await expectCode(fx.store.getStatus(into(cid.actor, root.team.id)), 'DENIED');
      // A sibling or a stranger cannot tell a hidden team from one that does not exist.
      const hidden = await expectCode(fx.store.getStatus(into(child.lead, sibling.team.id)), 'NOT_FOUND');
      const missing = await expectCode(fx.store.getStatus(into(child.lead, 'tm_zzzzzzzz')), 'NOT_FOUND');
      expect([hidden.refusal?.rule, hidden.reason.replace(sibling.team.id, 'X')]).toEqual([missing.refusal?.rule, missing.reason.replace('tm_zzzzzzzz', 'X')]);
      await expectCode(fx.store.getStatus(into(stranger.lead, root.team.id)), 'NOT_FOUND');
      // A parent teammate is not its lead: it may not look in.
      await expectCode(fx.store.listTasks(into(ann.actor, child.team.id), {}), 'DENIED');
      // The lead steers: it reads, spawns and messages the child's lead, but no one else there.
      expect((await fx.store.getStatus(into(root.lead, child.team.id))).team.id).toBe(child.team.id);
      await fx.store.spawnAgent(into(root.lead, child.team.id), { name: 'eve', role: 'implementer', joinTicketHash: fx.ticket('join') });
      await fx.store.sendMessage(into(root.lead, child.team.id), send(child.lead.agentId, 'how is it going?'));
      const refused = await fx.expectRefused('DENIED', () => fx.store.sendMessage(into(root.lead, child.team.id), send(cid.agentId, 'psst')));
      expect(refused.refusal).toMatchObject({ kind: 'scope', rule: 'hierarchy:to-lead' });
      await fx.expectRefused('DENIED', () => fx.store.sendMessage(into(root.lead, child.team.id), send('*', 'all of you')));
      // The child's lead answers its parent's lead the same way.
      await fx.store.sendMessage(into(child.lead, root.team.id), send(root.lead.agentId, 'halfway'));
      expect((await fx.store.readInbox(root.lead, { ack: [] })).messages.map((message) => message.body)).toEqual(['halfway']);
    });

    it("lets an ancestor's lead take over a child whose lead is lost, never one whose lead is active", async () => {
      const fx = fixture();
      const { root, a } = await rootWithWork(fx);
      const child = await fx.startChild(root.lead, [a], { ticket: true });
      await fx.expectRefused('CONFLICT', () => fx.store.takeOverChild(into(root.lead, child.team.id)));
      await fx.store.disconnectAgent(child.binding, 'session ended');
      const taken = await fx.store.takeOverChild(into(root.lead, child.team.id));
      expect(taken.lead).toMatchObject({ id: child.lead.agentId, state: 'active', principal_agent_id: root.lead.agentId });
      expect(taken.delegated_task_ids).toEqual([a]);
      // The lost session can no longer come back; the root's lead now acts there as its lead.
      await expectCode(fx.store.resumeAgent({ resumeTicketHash: child.resumeHash, nextResumeTicketHash: fx.ticket('resume') }), 'NOT_FOUND');
      await fx.store.createTasks(into(root.lead, child.team.id), { tasks: [{ title: 'more', description: '', priority: 0, depends_on: [] }] });
      await fx.expectRefused('CONFLICT', () => fx.store.takeOverChild(into(root.lead, child.team.id)));
      expect((await fx.actions(child.team.id)).filter((action) => action === 'agent.takeover')).toHaveLength(1);
    });

    it("lets the root's lead take over a grandchild played by a child lead that is lost", async () => {
      const fx = fixture();
      const { root, a } = await rootWithWork(fx);
      const child = await fx.startChild(root.lead, [a], { ticket: true });
      const [inChild] = (await fx.store.listTasks(child.lead, {})).tasks;
      const grandchild = await fx.startChild(child.lead, [inChild?.id ?? '']);
      // Played by the child's lead, who is active: not to be taken.
      await fx.expectRefused('CONFLICT', () => fx.store.takeOverChild(into(root.lead, grandchild.team.id)));
      await fx.store.disconnectAgent(child.binding, 'session ended');
      const taken = await fx.store.takeOverChild(into(root.lead, grandchild.team.id));
      expect(taken.lead.principal_agent_id).toBe(root.lead.agentId);
      await fx.store.finalizeTeam(into(root.lead, grandchild.team.id), { summary: 'finished from the top', force: true });
      expect((await fx.store.readTeam(grandchild.team.id)).team.state).toBe('finalized');
    });

    it("reports a lost child lead to the parent's lead once, and again after it came back and was lost again", async () => {
      const fx = fixture();
      const { root, a } = await rootWithWork(fx);
      const child = await fx.startChild(root.lead, [a], { ticket: true });
      await fx.store.disconnectAgent(child.binding, 'session ended');
      const step = { kind: 'report_lead_lost' as const, teamId: child.team.id, agentId: child.lead.agentId, expect: { leadLostAt: null }, rule: 'hierarchy.lead_lost', reason: 'gone' };
      const first = await fx.store.applyRecovery({ steps: [step] });
      expect(first.applied.map((applied) => applied.outcome)).toEqual(['reported']);
      expect(first.notices).toEqual([expect.objectContaining({ team_id: root.team.id, to_agent_id: root.lead.agentId, from_agent_id: null })]);
      expect(first.notices[0]?.body).toContain(`team_child {"action":"takeover","team":"${child.team.id}"}`);
      expect((await fx.store.applyRecovery({ steps: [step] })).skipped).toHaveLength(1);
      expect((await fx.store.readTeam(child.team.id)).team.state).toBe('active');
      const view = await fx.store.recoveryView({ teamId: root.team.id });
      expect(view.teams.map((team) => [team.teamId, team.parent?.teamId ?? null, team.leadLostAt !== null])).toEqual(
        [
          [root.team.id, null, false],
          [child.team.id, root.team.id, true],
        ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      );
      await fx.store.resumeAgent({ resumeTicketHash: child.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
      await fx.store.disconnectAgent({ ...child.binding, epoch: child.binding.epoch + 1 }, 'ended again');
      expect((await fx.store.applyRecovery({ steps: [step] })).applied).toHaveLength(1);
      // A lead back at its post, or played by another agent, is not reported.
      await fx.store.takeOverChild(into(root.lead, child.team.id));
      expect((await fx.store.applyRecovery({ steps: [step] })).applied).toHaveLength(0);
    });

    it('charges usage to the caller\'s own team when it acts in another, and lets a child lead report usage up', async () => {
      const fx = fixture();
      const { root, a } = await rootWithWork(fx);
      const child = await fx.startChild(root.lead, [a]);
      await fx.store.readInbox(into(root.lead, child.team.id), { ack: [], usage: SAMPLE });
      expect((await fx.store.readTeam(root.team.id)).used_tokens).toBe(30);
      expect((await fx.store.readTeam(child.team.id)).used_tokens).toBe(0);
    });
  });
}
