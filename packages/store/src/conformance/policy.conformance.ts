import type { Fixture } from './harness.conformance';
import { LEASE, complete, expectCode, send } from './harness.conformance';

const SAMPLE = { input_tokens: 60, output_tokens: 40 };

/** The team's policy inside transactions: thread cap, budget, consensus, profile switch, decisions. */
export function describePolicyRules(fixture: () => Fixture): void {
  describe('policy', () => {
    it('charges usage samples through the policy, one usage.report each, also after finalize', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'a' });
      const first = await fx.store.recordUsage(ann.actor, { sample: SAMPLE, taskId });
      expect(first).toMatchObject({ agent_id: ann.agentId, task_id: taskId, charged_tokens: 100, cached_input_tokens: 0 });
      fx.clock.advance(1_000);
      await fx.store.recordUsage(t.lead, { sample: { input_tokens: 5, output_tokens: 5, cached_input_tokens: 3 } });
      expect((await fx.store.readTeam(t.team.id)).used_tokens).toBe(110);
      const events = (await fx.audit(t.team.id)).filter((e) => e.action === 'usage.report');
      expect(events.map((e) => [e.actor_agent_id, e.subject_id, e.reason])).toEqual([
        [ann.agentId, taskId, 'charged 100; 100 used'],
        [t.lead.agentId, null, 'charged 10; 110 used'],
      ]);
      await fx.expectRefused('NOT_FOUND', () => fx.store.recordUsage(ann.actor, { sample: SAMPLE, taskId: 'tk_zzzzzzzz' }));
      await fx.expectRefused('INVALID_INPUT', () =>
        fx.store.recordUsage(ann.actor, { sample: { input_tokens: -1, output_tokens: 0 } }),
      );
      await fx.store.finalizeTeam(t.lead, { summary: '', force: true });
      await fx.store.recordUsage(ann.actor, { sample: SAMPLE });
      expect((await fx.store.readTeam(t.team.id)).used_tokens).toBe(210);
    });

    it('asks the policy inside every spawn and claim, with the facts of that transaction', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.createTask(t.lead, { title: 'a' });
      await fx.store.recordUsage(ann.actor, { sample: SAMPLE });
      await fx.store.claimNextTask(ann.actor, LEASE);
      const claim = fx.policy.admissions.at(-1);
      expect(claim).toMatchObject({ action: 'claim', actorAgentId: ann.agentId, usedTokens: 100, consensusAt: null });
      expect(claim?.team).toMatchObject({ id: t.team.id, profile: 'default' });
      expect(claim?.tasksByStatus).toMatchObject({ ready: 1, in_progress: 0 });
      expect(fx.policy.admissions.map((a) => a.action)).toEqual(['spawn', 'claim']);
    });

    it('refuses spawns and claims the policy refuses, changing nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'a' });
      fx.policy.hardTokens = 100;
      await fx.store.recordUsage(ann.actor, { sample: SAMPLE });
      await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.claimNextTask(ann.actor, LEASE));
      const refused = await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE));
      expect(refused.details).toEqual({ rule: 'budget.hard_tokens' });
      fx.policy.hardTokens = 1_000;
      expect((await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE)).fence).toBe(1);
    });

    it("caps teammates at the smaller of max_threads and the profile's cap, at spawn, join and resume", async () => {
      const fx = fixture();
      fx.policy.caps = { fast: 1 };
      const t = await fx.startTeam({ maxThreads: 3 });
      await fx.store.setProfile(t.lead, { profile: 'fast', reason: 'go fast' });
      const ann = await fx.addMember(t, 'ann');
      const refused = await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      expect(refused.details).toEqual({ max_threads: 3, thread_cap: 1, used: 1 });
      expect(refused.message).toContain('profile fast caps the team at 1');
      await fx.store.disconnectAgent(ann.binding, 'gone');
      await fx.addMember(t, 'bob');
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.resumeAgent(ann.resumeHash));
      await fx.store.setProfile(t.lead, { profile: 'default', reason: 'room again' });
      expect((await fx.store.resumeAgent(ann.resumeHash)).agent.state).toBe('active');
    });

    it('switches the profile for the lead only, once per change, and refuses unknown profiles', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.expectRefused('DENIED', () => fx.store.setProfile(ann.actor, { profile: 'fast', reason: 'x' }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.setProfile(t.lead, { profile: 'turbo', reason: 'x' }));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.setProfile(t.lead, { profile: '../fast', reason: 'x' }));
      const same = await fx.expectNoChange(() => fx.store.setProfile(t.lead, { profile: 'default', reason: 'x' }));
      expect(same).toMatchObject({ changed: false, previous_profile: 'default' });
      const switched = await fx.store.setProfile(t.lead, { profile: 'deep', reason: 'careful now' });
      expect(switched).toMatchObject({ changed: true, previous_profile: 'default', team: { profile: 'deep' } });
      const event = (await fx.audit(t.team.id)).at(-1);
      expect(event).toMatchObject({ action: 'policy.switch', actor_agent_id: t.lead.agentId, reason: 'careful now' });
      expect(event?.data).toMatchObject({ previous_profile: 'default', team: { profile: 'deep' } });
      await fx.createTask(t.lead, { title: 'a' });
      await fx.store.claimNextTask(ann.actor, LEASE);
      expect(fx.policy.admissions.at(-1)?.team.profile).toBe('deep');
      await fx.store.finalizeTeam(t.lead, { summary: '', force: true });
      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.setProfile(t.lead, { profile: 'fast', reason: 'late' }));
    });

    it("records the lead's consensus once, with its message, and shows it to the policy", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.createTask(t.lead, { title: 'a' });
      await fx.expectRefused('DENIED', () => fx.store.sendMessage(ann.actor, send('*', 'we agree', { consensus: true })));
      fx.clock.advance(5_000);
      await fx.store.sendMessage(t.lead, send('*', 'we agree: ship it', { consensus: true }));
      const at = new Date(fx.clock.now()).toISOString();
      fx.clock.advance(5_000);
      await fx.store.sendMessage(t.lead, send('*', 'again', { consensus: true }));
      const sends = (await fx.audit(t.team.id)).filter((e) => e.action === 'message.send');
      expect(sends.map((e) => e.data['consensus_at'])).toEqual([at, undefined]);
      expect(sends[0]?.reason).toContain('the lead declared consensus');
      expect((await fx.store.readTeam(t.team.id)).consensus_at).toBe(at);
      fx.policy.stopClaimsOnConsensus = true;
      await fx.expectRefused('CONFLICT', () => fx.store.claimNextTask(ann.actor, LEASE));
      expect(fx.policy.admissions.at(-1)?.consensusAt).toBe(at);
    });

    it('audits decisions, denials as deny, and skips a recommendation equal to the last one', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const deny = {
        actorAgentId: t.lead.agentId,
        action: 'policy.deny' as const,
        decision: 'deny' as const,
        reason: 'budget.hard_tokens: no new spawn',
        data: { rule: 'budget.hard_tokens', action: 'spawn' },
      };
      expect(await fx.store.recordDecision(t.team.id, deny)).toBe(true);
      const fanout = { actorAgentId: t.lead.agentId, action: 'policy.fanout' as const, decision: 'allow' as const };
      expect(await fx.store.recordDecision(t.team.id, { ...fanout, reason: 'spawn 2', data: { spawn: { a: 2 } } }, { unlessSameAsLast: true })).toBe(true);
      expect(
        await fx.expectNoChange(() =>
          fx.store.recordDecision(t.team.id, { ...fanout, reason: 'still 2', data: { spawn: { a: 2 } } }, { unlessSameAsLast: true }),
        ),
      ).toBe(false);
      expect(await fx.store.recordDecision(t.team.id, { ...fanout, reason: 'spawn 1', data: { spawn: { a: 1 } } }, { unlessSameAsLast: true })).toBe(true);
      const events = (await fx.audit(t.team.id)).slice(1);
      expect(events.map((e) => [e.action, e.decision, e.reason])).toEqual([
        ['policy.deny', 'deny', 'budget.hard_tokens: no new spawn'],
        ['policy.fanout', 'allow', 'spawn 2'],
        ['policy.fanout', 'allow', 'spawn 1'],
      ]);
      await expectCode(fx.store.recordDecision('tm_zzzzzzzz', deny), 'NOT_FOUND');
    });
  });

  describe('idle sweep', () => {
    it("shows the policy each teammate's last activity at the store's clock, never the lead", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const start = fx.clock.now();
      const ann = await fx.addMember(t, 'ann');
      fx.clock.advance(10_000);
      await fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') });
      fx.clock.advance(10_000);
      const taskId = await fx.createTask(t.lead, { title: 'a' });
      fx.clock.advance(10_000);
      const claim = await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE);
      fx.clock.advance(30_000);
      await fx.store.completeTask(ann.actor, complete(taskId, claim.fence));
      fx.clock.advance(100_000);
      await fx.store.sweepIdle(t.team.id);
      const facts = fx.policy.sweeps.at(-1);
      expect(facts?.now).toBe(fx.clock.now());
      expect(facts?.lastActivityAt).toBe(start + 60_000);
      expect(facts?.agents.map((a) => [a.agent.name, a.lastActivityAt, a.idleSince])).toEqual([
        ['ann', start + 60_000, null],
        ['bob', start + 10_000, null],
      ]);
    });

    it('applies the plan: marks, clears and retires teammates and finalizes the team, one event each', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bobJoin = fx.ticket('join');
      const bob = await fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: bobJoin });
      await fx.createTask(t.lead, { title: 'left over' });
      fx.policy.plan = () => ({
        agents: [
          { agentId: ann.agentId, action: 'idle', rule: 'idle.agent_timeout_ms', reason: 'quiet' },
          { agentId: bob.id, action: 'retire', rule: 'idle.retire_idle_agents', reason: 'never joined' },
        ],
        finalizeTeam: null,
      });
      fx.clock.advance(60_000);
      const first = await fx.store.sweepIdle(t.team.id);
      expect(first).toEqual({
        agents: [
          { agent_id: ann.agentId, action: 'idle', reason: 'quiet' },
          { agent_id: bob.id, action: 'retire', reason: 'never joined' },
        ],
        finalized: false,
      });
      const marked = new Date(fx.clock.now()).toISOString();
      expect((await fx.store.readTeam(t.team.id)).idle_since).toEqual({ [ann.agentId]: marked, [bob.id]: marked });
      await fx.expectRefused('NOT_FOUND', () => fx.store.joinAgent({ joinTicketHash: bobJoin, resumeTicketHash: fx.ticket('resume') }));
      // Marking an agent that is already marked changes nothing.
      fx.policy.plan = () => ({ agents: [{ agentId: ann.agentId, action: 'idle', rule: 'r', reason: 'still quiet' }], finalizeTeam: null });
      const again = await fx.expectNoChange(() => fx.store.sweepIdle(t.team.id));
      expect(again.agents).toEqual([]);
      fx.policy.plan = () => ({
        agents: [{ agentId: ann.agentId, action: 'active', rule: 'idle.agent_timeout_ms', reason: 'back' }],
        finalizeTeam: { rule: 'idle.team_timeout_ms', reason: 'no activity for 2 h' },
      });
      const last = await fx.store.sweepIdle(t.team.id);
      expect(last.finalized).toBe(true);
      const events = (await fx.audit(t.team.id)).filter((e) => e.actor_agent_id === null);
      expect(events.map((e) => [e.action, e.subject_id, e.reason])).toEqual([
        ['agent.idle', ann.agentId, 'idle.agent_timeout_ms: quiet'],
        ['agent.retire', bob.id, 'idle.retire_idle_agents: never joined'],
        ['agent.active', ann.agentId, 'idle.agent_timeout_ms: back'],
        ['team.finalize', t.team.id, 'idle.team_timeout_ms: no activity for 2 h; 1 unfinished tasks cancelled'],
      ]);
      const snapshot = await fx.store.readTeam(t.team.id);
      expect(snapshot.team).toMatchObject({ state: 'finalized', summary: 'finalized by the idle sweep: no activity for 2 h' });
      expect(snapshot.idle_since).toEqual({ [bob.id]: marked });
      expect(snapshot.tasks.map((task) => task.status)).toEqual(['cancelled']);
      // A finalized team is not swept again.
      const sweeps = fx.policy.sweeps.length;
      expect(await fx.store.sweepIdle(t.team.id)).toEqual({ agents: [], finalized: false });
      expect(fx.policy.sweeps).toHaveLength(sweeps);
      await expectCode(fx.store.sweepIdle('tm_zzzzzzzz'), 'NOT_FOUND');
    });

    it('refuses a plan that names the lead or an agent of another team, changing nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const other = await fx.startTeam();
      await fx.addMember(t, 'ann');
      for (const agentId of [t.lead.agentId, other.lead.agentId]) {
        fx.policy.plan = () => ({ agents: [{ agentId, action: 'retire', rule: 'r', reason: 'x' }], finalizeTeam: null });
        await fx.expectRefused('INTERNAL', () => fx.store.sweepIdle(t.team.id));
      }
    });
  });
}
