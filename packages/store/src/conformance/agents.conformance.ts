import type { Fixture } from './harness.conformance';
import { expectCode, newTasks } from './harness.conformance';

/** Teams, agents, bindings and the thread cap. */
export function describeAgentRules(fixture: () => Fixture): void {
  describe('teams and agents', () => {
    it('starts a team with its lead bound at epoch 1 and one team.start event', async () => {
      const fx = fixture();
      const { team, lead, binding } = await fx.startTeam({ name: 'alpha', maxThreads: 3 });
      expect(team).toMatchObject({ name: 'alpha', state: 'active', max_threads: 3, lead_agent_id: lead.agentId });
      expect(binding.epoch).toBe(1);
      const bound = await fx.store.verifyBinding(binding);
      expect(bound.agent).toMatchObject({ id: lead.agentId, role: 'lead', state: 'active' });
      const events = await fx.audit(team.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'team.start', actor_agent_id: lead.agentId, decision: 'allow' });
    });

    it('records the Codex thread a start, join or resume came from, and finds the agent by it', async () => {
      const fx = fixture();
      const bound = await fx.store.createTeam({
        name: 'threads',
        objective: '',
        maxThreads: 3,
        profile: 'default',
        leadName: 'lead',
        resumeTicketHash: fx.ticket('resume'),
        codexThreadId: 'thread-root',
      });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      const joinHash = fx.ticket('join');
      await fx.store.spawnAgent(lead, { name: 'ann', role: 'implementer', joinTicketHash: joinHash });
      const annResume = fx.ticket('resume');
      const ann = await fx.store.joinAgent({ joinTicketHash: joinHash, resumeTicketHash: annResume, codexThreadId: 'thread-ann' });
      expect(await fx.store.findAgentByCodexThread('thread-root')).toEqual(lead);
      expect(await fx.store.findAgentByCodexThread('thread-ann')).toEqual({ teamId: bound.team.id, agentId: ann.agent.id });
      expect(await fx.store.findAgentByCodexThread('thread-unknown')).toBeNull();
      // A resumed session of another thread moves the agent there; the latest binding of a thread wins.
      fx.clock.advance(1_000);
      await fx.store.resumeAgent({ resumeTicketHash: annResume, nextResumeTicketHash: fx.ticket('resume'), codexThreadId: 'thread-ann-2' });
      expect(await fx.store.findAgentByCodexThread('thread-ann-2')).toEqual({ teamId: bound.team.id, agentId: ann.agent.id });
      expect(await fx.store.findAgentByCodexThread('thread-ann')).toBeNull();
      // A binding without a thread (another client than Codex) records nothing.
      await fx.startTeam({ name: 'plain' });
      expect(await fx.actions(bound.team.id)).toEqual(['team.start', 'agent.spawn', 'agent.join', 'agent.resume']);
    });

    it('refuses max_threads outside 1..6', async () => {
      const fx = fixture();
      for (const maxThreads of [0, 7, 1.5]) {
        await expectCode(fx.startTeam({ maxThreads }), 'INVALID_INPUT');
      }
    });

    it('lets only the lead spawn, with unique names and not as a second lead', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const member = await fx.addMember(t, 'ann');
      await fx.expectRefused('DENIED', () =>
        fx.store.spawnAgent(member.actor, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectRefused('CONFLICT', () =>
        fx.store.spawnAgent(t.lead, { name: 'ann', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectRefused('CONFLICT', () =>
        fx.store.spawnAgent(t.lead, { name: 'lead', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectRefused('INVALID_INPUT', () =>
        fx.store.spawnAgent(t.lead, { name: 'boss', role: 'lead', joinTicketHash: fx.ticket('join') }),
      );
      expect(await fx.actions(t.team.id)).toEqual(['team.start', 'agent.spawn', 'agent.join']);
    });

    it('caps invited and active teammates at max_threads when spawning, even concurrently', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 3 });
      const results = await Promise.allSettled(
        ['a', 'b', 'c', 'd', 'e'].map((name) =>
          fx.store.spawnAgent(t.lead, { name, role: 'implementer', joinTicketHash: fx.ticket('join') }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused.map((r) => (r.reason as { code?: unknown }).code)).toEqual(['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
      const status = await fx.store.getStatus(t.lead);
      expect(status.active_threads).toBe(3);
      await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.spawnAgent(t.lead, { name: 'f', role: 'implementer', joinTicketHash: fx.ticket('join') }),
      );
    });

    it('consumes a join ticket once', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const joinHash = fx.ticket('join');
      const invited = await fx.store.spawnAgent(t.lead, { name: 'ann', role: 'reviewer', joinTicketHash: joinHash });
      expect(invited).toMatchObject({ state: 'invited', joined_at: null, role: 'reviewer' });
      const bound = await fx.store.joinAgent({ joinTicketHash: joinHash, resumeTicketHash: fx.ticket('resume') });
      expect(bound.epoch).toBe(1);
      expect(bound.agent).toMatchObject({ id: invited.id, state: 'active' });
      expect(bound.agent.joined_at).not.toBeNull();
      await fx.expectRefused('NOT_FOUND', () =>
        fx.store.joinAgent({ joinTicketHash: joinHash, resumeTicketHash: fx.ticket('resume') }),
      );
      await fx.expectRefused('NOT_FOUND', () =>
        fx.store.joinAgent({ joinTicketHash: 'never-issued', resumeTicketHash: fx.ticket('resume') }),
      );
      const joins = (await fx.audit(t.team.id)).filter((e) => e.action === 'agent.join');
      expect(joins).toHaveLength(1);
      expect(joins[0]?.actor_agent_id).toBe(invited.id);
    });

    it('re-checks the cap at join and resume, counting active teammates', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 1 });
      const ann = await fx.addMember(t, 'ann');
      await fx.store.disconnectAgent(ann.binding, 'stdin closed');
      // ann's slot is free while she is away, so bob may be invited...
      const bobJoin = fx.ticket('join');
      await fx.store.spawnAgent(t.lead, { name: 'bob', role: 'implementer', joinTicketHash: bobJoin });
      // ...and ann may come back before bob joins; then bob's join finds no slot.
      await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
      await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.joinAgent({ joinTicketHash: bobJoin, resumeTicketHash: fx.ticket('resume') }),
      );
    });

    it('refuses to resume a disconnected teammate into a full team', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 1 });
      const ann = await fx.addMember(t, 'ann');
      await fx.store.disconnectAgent(ann.binding, 'SIGTERM');
      await fx.addMember(t, 'bob');
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') }));
    });

    it('rotates the resume ticket on use: the ticket used binds nothing afterwards, refused as identity; the next one binds', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const next = fx.ticket('resume');
      expect((await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: next })).epoch).toBe(2);
      const reused = await fx.expectRefused('NOT_FOUND', () =>
        fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') }),
      );
      expect(reused.refusal).toMatchObject({ kind: 'identity', rule: 'identity:ticket' });
      expect((await fx.store.resumeAgent({ resumeTicketHash: next, nextResumeTicketHash: fx.ticket('resume') })).epoch).toBe(3);
      // Each ticket binds once: the second is used up in turn.
      await fx.expectRefused('NOT_FOUND', () => fx.store.resumeAgent({ resumeTicketHash: next, nextResumeTicketHash: fx.ticket('resume') }));
    });

    it('supersedes the previous session on resume (epoch + 1)', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const resumed = await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
      expect(resumed.epoch).toBe(2);
      await fx.expectRefused('NOT_BOUND', () => fx.store.verifyBinding(ann.binding));
      const fresh = { ...ann.actor, epoch: 2 };
      expect((await fx.store.verifyBinding(fresh)).agent.id).toBe(ann.agentId);
      // The old session ending must not mark the resumed agent disconnected.
      const before = (await fx.audit(t.team.id)).length;
      await fx.store.disconnectAgent(ann.binding, 'old process exited');
      expect(await fx.audit(t.team.id)).toHaveLength(before);
      expect((await fx.store.verifyBinding(fresh)).agent.state).toBe('active');
      const leadAgain = await fx.store.resumeAgent({ resumeTicketHash: t.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
      expect(leadAgain.epoch).toBe(2);
      await fx.expectRefused('NOT_FOUND', () => fx.store.resumeAgent({ resumeTicketHash: 'never-issued', nextResumeTicketHash: fx.ticket('resume') }));
      expect((await fx.actions(t.team.id)).filter((a) => a === 'agent.resume')).toHaveLength(2);
    });

    it('records a disconnect of the current session once', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.store.disconnectAgent(ann.binding, 'stdin closed');
      await fx.store.disconnectAgent(ann.binding, 'stdin closed');
      const events = (await fx.audit(t.team.id)).filter((e) => e.action === 'agent.disconnect');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ reason: 'stdin closed', subject_id: ann.agentId });
      const status = await fx.store.getStatus(t.lead);
      expect(status.agents.find((a) => a.id === ann.agentId)?.state).toBe('disconnected');
      expect(status.active_threads).toBe(0);
    });

    it('refuses actors and bindings that are not agents of the team as NOT_BOUND', async () => {
      const fx = fixture();
      const a = await fx.startTeam();
      const b = await fx.startTeam();
      const stranger = { teamId: a.team.id, agentId: b.lead.agentId };
      await fx.expectRefused('NOT_BOUND', () => fx.store.getStatus(stranger));
      await fx.expectRefused('NOT_BOUND', () => fx.store.createTasks(stranger, newTasks([{ title: 'x' }])));
      await fx.expectRefused('NOT_BOUND', () => fx.store.verifyBinding({ ...stranger, epoch: 1 }));
      await fx.expectRefused('NOT_BOUND', () =>
        fx.store.getStatus({ teamId: 'tm_zzzzzzzz', agentId: a.lead.agentId }),
      );
    });
  });

  describe('status', () => {
    it('counts every task status (zero-filled), threads and unread messages, and writes nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') });
      await fx.store.createTasks(t.lead, newTasks([{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }]));
      await fx.store.sendMessage(t.lead, { to: ann.agentId, body: 'hi', artifact_refs: [] });
      const status = await fx.expectNoChange(() => fx.store.getStatus(ann.actor));
      expect(status.tasks_by_status).toEqual({ blocked: 1, ready: 1, in_progress: 0, done: 0, failed: 0, cancelled: 0 });
      expect(status.active_threads).toBe(2);
      expect(status.unread_messages).toBe(1);
      expect(status.me.id).toBe(ann.agentId);
      expect(status.agents.map((agent) => agent.name)).toEqual(['lead', 'ann', 'bob']);
    });
  });

  describe('finalize', () => {
    it('is lead only and refuses unfinished tasks unless forced', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.store.createTasks(t.lead, newTasks([{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }]));
      await fx.store.claimNextTask(ann.actor, { leaseMs: 60_000 });
      await fx.expectRefused('DENIED', () => fx.store.finalizeTeam(ann.actor, { summary: '', force: true }));
      const refused = await fx.expectRefused('CONFLICT', () =>
        fx.store.finalizeTeam(t.lead, { summary: '', force: false }),
      );
      expect(refused.details).toEqual({ blocked: 1, ready: 0, in_progress: 1 });
    });

    it('cancels unfinished tasks with force in one team.finalize event, then refuses writes', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const created = await fx.store.createTasks(
        t.lead,
        newTasks([{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }, { title: 'c' }]),
      );
      await fx.store.claimNextTask(ann.actor, { leaseMs: 60_000 });
      const before = (await fx.audit(t.team.id)).length;
      const out = await fx.store.finalizeTeam(t.lead, { summary: 'stopped early', force: true });
      expect(out.team).toMatchObject({ state: 'finalized', summary: 'stopped early' });
      expect(out.team.finalized_at).not.toBeNull();
      expect(out.cancelled_task_ids).toEqual(created.tasks.map((task) => task.id));
      const events = (await fx.audit(t.team.id)).slice(before);
      expect(events.map((e) => e.action)).toEqual(['team.finalize']);
      expect((events[0]?.data['cancelled_tasks'] as unknown[]).length).toBe(3);

      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.createTasks(t.lead, newTasks([{ title: 'late' }])));
      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.claimNextTask(ann.actor, { leaseMs: 60_000 }));
      await fx.expectRefused('TEAM_FINALIZED', () =>
        fx.store.sendMessage(ann.actor, { to: '*', body: 'bye', artifact_refs: [] }),
      );
      await fx.expectRefused('TEAM_FINALIZED', () =>
        fx.store.spawnAgent(t.lead, { name: 'late', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.finalizeTeam(t.lead, { summary: '', force: true }));
      // Reads and resume stay available on a finalized team.
      expect((await fx.store.getStatus(ann.actor)).tasks_by_status.cancelled).toBe(3);
      expect((await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') })).team.state).toBe('finalized');
    });

    it('refuses to join a finalized team', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const joinHash = fx.ticket('join');
      await fx.store.spawnAgent(t.lead, { name: 'ann', role: 'tester', joinTicketHash: joinHash });
      await fx.store.finalizeTeam(t.lead, { summary: 'done', force: false });
      await fx.expectRefused('TEAM_FINALIZED', () =>
        fx.store.joinAgent({ joinTicketHash: joinHash, resumeTicketHash: fx.ticket('resume') }),
      );
    });
  });
}
