import { LIMITS } from '@codex-team/contracts';
import type { ConformanceStoreOptions, Fixture } from './harness.conformance';
import { LEASE, complete, expectCode, send } from './harness.conformance';

const SAMPLE = { input_tokens: 60, output_tokens: 40 };

/**
 * The team's profile applied inside each transaction: usage, thread cap, budget, early stop,
 * profile switch, message size, and the audited decisions.
 */
export function describePolicyRules(fixture: () => Fixture, openWith: (options: ConformanceStoreOptions) => Promise<Fixture>): void {
  describe('policy', () => {
    it('charges usage reported with a completion or an inbox read, one usage.report each, also after finalize', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'a' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE);
      await fx.store.completeTask(ann.actor, complete(taskId, claim.fence, { usage: SAMPLE }));
      fx.clock.advance(1_000);
      await fx.store.readInbox(t.lead, { ack: [], usage: { input_tokens: 5, output_tokens: 5, cached_input_tokens: 3 } });
      const snapshot = await fx.store.readTeam(t.team.id);
      expect(snapshot.used_tokens).toBe(110);
      expect(snapshot.usage.map((u) => [u.agent_id, u.task_id, u.charged_tokens, u.cached_input_tokens])).toEqual([
        [ann.agentId, taskId, 100, 0],
        [t.lead.agentId, null, 10, 3],
      ]);
      const events = (await fx.audit(t.team.id)).filter((e) => e.action === 'usage.report');
      expect(events.map((e) => [e.actor_agent_id, e.subject_id])).toEqual([
        [ann.agentId, taskId],
        [t.lead.agentId, null],
      ]);
      expect(events[0]?.reason).toMatch(/^charged 100 tokens: within budget: 100 of 16000000 tokens used \(profile default\)/);
      await fx.expectRefused('INVALID_INPUT', () => fx.store.readInbox(ann.actor, { ack: [], usage: { input_tokens: -1, output_tokens: 0 } }));
      await fx.store.finalizeTeam(t.lead, { summary: '', force: true });
      await fx.store.readInbox(ann.actor, { ack: [], usage: SAMPLE });
      expect((await fx.store.readTeam(t.team.id)).used_tokens).toBe(210);
    });

    it('keeps usage charged when the completion it came with is refused: the tokens were spent', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'a' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE);
      await expectCode(fx.store.completeTask(ann.actor, complete(taskId, claim.fence + 1, { usage: SAMPLE })), 'STALE_CLAIM');
      const snapshot = await fx.store.readTeam(t.team.id);
      expect([snapshot.used_tokens, snapshot.tasks[0]?.status]).toEqual([100, 'in_progress']);
      expect((await fx.actions(t.team.id)).slice(-2)).toEqual(['task.claim', 'usage.report']);
      // Usage naming an unknown task refuses the whole call, charging nothing.
      await fx.expectRefused('NOT_FOUND', () => fx.store.completeTask(ann.actor, complete('tk_zzzzzzzz', 1, { usage: SAMPLE })));
    });

    it('refuses a usage report that would pass the per-agent bound of a minute: audited once, nothing charged, the call refused', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ profile: 'deep' });
      const ann = await fx.addMember(t, 'ann');
      const big = { input_tokens: LIMITS.usageInputTokensMax, output_tokens: 0 };
      await fx.store.readInbox(ann.actor, { ack: [], usage: big });
      fx.clock.advance(30_000);
      await fx.store.readInbox(ann.actor, { ack: [], usage: big });
      expect((await fx.store.readTeam(t.team.id)).used_tokens).toBe(2 * big.input_tokens);
      // Within the same minute a third report passes LIMITS.usageTokensPerAgentMinuteMax: refused.
      const refused = await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'usage.per_minute', () =>
        fx.store.readInbox(ann.actor, { ack: [], usage: { input_tokens: 1, output_tokens: 0 } }),
      );
      expect(refused.details).toEqual({ rule: 'usage.per_minute', tokens: 1, recent_tokens: 2 * big.input_tokens, max: LIMITS.usageTokensPerAgentMinuteMax });
      expect((await fx.store.readTeam(t.team.id)).used_tokens).toBe(2 * big.input_tokens);
      // The bound is per agent: the lead's report in the same minute is charged.
      await fx.store.readInbox(t.lead, { ack: [], usage: big });
      // Once the first report is older than a minute, ann may report again.
      fx.clock.advance(30_001);
      await fx.store.readInbox(ann.actor, { ack: [], usage: big });
      expect((await fx.store.readTeam(t.team.id)).used_tokens).toBe(4 * big.input_tokens);
    });

    it("refuses spawns and claims past the profile's hard budget, audited once in the refused call's transaction", async () => {
      const fx = fixture();
      const t = await fx.startTeam({ profile: 'broke' });
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'a' });
      await fx.store.readInbox(ann.actor, { ack: [], usage: SAMPLE });
      await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'budget.hard_tokens', () =>
        fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'budget.hard_tokens', () => fx.store.claimNextTask(ann.actor, LEASE));
      const refused = await fx.expectPolicyRefused('LIMIT_EXCEEDED', 'budget.hard_tokens', () =>
        fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE),
      );
      expect(refused.details).toEqual({ rule: 'budget.hard_tokens', action: 'claim', used_tokens: 100, hard_tokens: 100 });
      const denials = (await fx.audit(t.team.id)).filter((e) => e.action === 'policy.deny');
      expect(denials.map((e) => [e.actor_agent_id, e.subject_id, e.data['tool']])).toEqual([
        [t.lead.agentId, null, 'team_spawn'],
        [ann.agentId, null, 'team_task_next'],
        [ann.agentId, taskId, 'team_task_next'],
      ]);
      await fx.store.setProfile(t.lead, { profile: 'default' });
      expect((await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE)).fence).toBe(1);
    });

    it("caps teammates at the smaller of max_threads and the profile's cap, at spawn, join and resume", async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 3 });
      await fx.store.setProfile(t.lead, { profile: 'capped' });
      const ann = await fx.addMember(t, 'ann');
      const refused = await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      expect(refused.details).toEqual({ max_threads: 3, thread_cap: 1, used: 1 });
      expect(refused.message).toContain('(profile capped threads.hard_cap allows 1 teammate at once)');
      await fx.store.disconnectAgent(ann.binding, 'gone');
      await fx.addMember(t, 'bob');
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') }));
      await fx.store.setProfile(t.lead, { profile: 'default' });
      expect((await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') })).agent.state).toBe('active');
    });

    it("applies Codex's thread cap when opened with it: spawn and resume refused naming it, a new team's default lowered to it", async () => {
      const codexThreadCap = { teammates: 2, from: 'multi-agent v2 max_concurrent_threads_per_session 3, lead included' };
      const fx = await openWith({ codexThreadCap });
      const plain = await fx.startTeam({ name: 'plain' });
      expect(plain.team.max_threads).toBe(2);
      const t = await fx.startTeam({ maxThreads: 5 });
      expect(t.team.max_threads).toBe(5);
      const ann = await fx.addMember(t, 'ann');
      await fx.addMember(t, 'bob');
      const refused = await fx.expectRefused('LIMIT_EXCEEDED', () =>
        fx.store.spawnAgent(t.lead, { name: 'cy', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      expect(refused.details).toEqual({ max_threads: 5, thread_cap: 2, used: 2 });
      expect(refused.message).toContain(`(Codex's thread cap allows 2 teammates at once (${codexThreadCap.from}))`);
      await fx.store.disconnectAgent(ann.binding, 'gone');
      await fx.addMember(t, 'cy');
      const resumed = await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') }));
      expect(resumed.message).toContain("Codex's thread cap allows 2");
      // A store opened without the cap applies the profile's alone.
      expect((await fixture().startTeam()).team.max_threads).toBe(6);
    });

    it("starts a team under its profile's thread default, never above its hard cap, and refuses unknown profiles", async () => {
      const fx = fixture();
      const fast = await fx.store.createTeam({ name: 'f', objective: '', profile: 'fast', leadName: 'l', resumeTicketHash: fx.ticket('resume') });
      expect([fast.team.profile, fast.team.max_threads]).toEqual(['fast', 3]);
      const plain = await fx.store.createTeam({ name: 'd', objective: '', leadName: 'l', resumeTicketHash: fx.ticket('resume') });
      expect([plain.team.profile, plain.team.max_threads]).toEqual(['default', 6]);
      const over = await expectCode(
        fx.store.createTeam({ name: 'x', objective: '', profile: 'fast', maxThreads: 5, leadName: 'l', resumeTicketHash: fx.ticket('resume') }),
        'INVALID_INPUT',
      );
      expect(over.details).toEqual({ issues: [{ path: 'max_threads', message: 'must be at most 4 under profile fast' }] });
      await expectCode(fx.store.createTeam({ name: 'y', objective: '', profile: 'turbo', leadName: 'l', resumeTicketHash: fx.ticket('resume') }), 'NOT_FOUND');
      expect((await fx.store.listTeams()).map((team) => team.name).sort()).toEqual(['d', 'f']);
    });

    it('switches the profile for the lead only, once per change, naming what changed, and refuses unknown profiles', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.expectRefused('DENIED', () => fx.store.setProfile(ann.actor, { profile: 'fast' }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.setProfile(t.lead, { profile: 'turbo' }));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.setProfile(t.lead, { profile: '../fast' }));
      const same = await fx.expectNoChange(() => fx.store.setProfile(t.lead, { profile: 'default' }));
      expect(same).toMatchObject({ changed: false, previous_profile: 'default', changes: [] });
      const switched = await fx.store.setProfile(t.lead, { profile: 'deep' });
      expect(switched).toMatchObject({ changed: true, previous_profile: 'default', team: { profile: 'deep' } });
      expect(switched.changes.length).toBeGreaterThan(0);
      const event = (await fx.audit(t.team.id)).at(-1);
      expect(event).toMatchObject({ action: 'policy.switch', actor_agent_id: t.lead.agentId });
      expect(event?.reason).toBe(`profile default -> deep: ${switched.changes.join('; ')}`);
      expect(event?.data).toMatchObject({ previous_profile: 'default', team: { profile: 'deep' } });
      await fx.store.finalizeTeam(t.lead, { summary: '', force: true });
      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.setProfile(t.lead, { profile: 'fast' }));
    });

    it("records the lead's consensus once; then early stop answers no claim by next and refuses a claim by id", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'a' });
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
      const next = await fx.store.claimNextTask(ann.actor, LEASE);
      expect(next.claim).toBeNull();
      expect(next.reason).toContain('the team is ready to finalize, no new claims');
      expect((await fx.audit(t.team.id)).at(-1)).toMatchObject({ action: 'policy.deny', data: { rule: 'guardrails.early_stop', tool: 'team_task_next' } });
      await fx.expectPolicyRefused('CONFLICT', 'guardrails.early_stop', () => fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE));
      // Without early stop in the profile, consensus stops nothing.
      await fx.store.setProfile(t.lead, { profile: 'quiet' });
      expect((await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE)).fence).toBe(1);
    });

    it("refuses a message body over the profile's limit with what to do instead, audited", async () => {
      const fx = fixture();
      const t = await fx.startTeam({ profile: 'fast' });
      const ann = await fx.addMember(t, 'ann');
      const refused = await fx.expectPolicyRefused('PAYLOAD_TOO_LARGE', 'messages.body_max_bytes', () =>
        fx.store.sendMessage(ann.actor, send('*', 'y'.repeat(5_000))),
      );
      expect(refused.details).toMatchObject({ limit_bytes: 4_096, bytes: 5_000, hint: expect.stringContaining('team_artifact_publish') });
      expect((await fx.store.sendMessage(ann.actor, send('*', 'y'.repeat(4_096)))).duplicate).toBe(false);
    });

    it('audits fanout recommendations, skipping one equal to the last', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
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
        ['policy.fanout', 'allow', 'spawn 2'],
        ['policy.fanout', 'allow', 'spawn 1'],
      ]);
      await expectCode(fx.store.recordDecision('tm_zzzzzzzz', { ...fanout, reason: 'x', data: {} }), 'NOT_FOUND');
    });
  });
}
