import { LIMITS } from '@codex-team/contracts';
import { LONG_BODY_HINT } from '@codex-team/policy-engine';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam } from './testing/in-process-team';

describe('guardrails enforced by the server', () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  const actionsOf = async (teamId: string) => (await team.store.listAuditEvents(teamId)).map((e) => e.action);

  describe('budget', () => {
    it('charges usage from team_inbox and team_task_complete, then refuses spawns and claims at the hard budget', async () => {
      const { lead, started } = await team.startTeam({ name: 'thrifty', profile: 'fast' }); // hard 2,000,000
      const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
      const mateId = joined.agent.id;
      await lead.caller.ok('team_task_create', { tasks: [{ title: 'one' }, { title: 'two' }] });
      const claim = await mate.caller.ok('team_task_next');
      await mate.caller.ok('team_task_complete', {
        task_id: claim.claim?.task.id,
        fence: claim.claim?.fence,
        result: 'done',
        usage: { input_tokens: 900_000, output_tokens: 200_000, cached_input_tokens: 500_000 },
      });
      await lead.caller.ok('team_inbox', { usage: { input_tokens: 700_000, output_tokens: 100_000 } });
      const status = await lead.caller.ok('team_status');
      expect(status.hints?.budget).toBe('soft_exceeded');
      expect((await lead.caller.ok('team_run_summary')).usage?.budget).toMatchObject({ state: 'soft_exceeded', used_tokens: 1_900_000, remaining_tokens: 100_000 });
      await mate.caller.ok('team_inbox', { usage: { input_tokens: 150_000, output_tokens: 0 } });

      const before = digestDatabase(team.dbPath);
      const spawn = await lead.caller.fails('team_spawn', { name: 'bob', role: 'tester' });
      expect(spawn).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { rule: 'budget.hard_tokens', used_tokens: 2_050_000 } });
      expect(spawn.message).toContain('token budget exhausted: 2050000 of 2000000 tokens used (profile fast, budget.hard_tokens)');
      const next = await mate.caller.fails('team_task_next');
      expect(next).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { rule: 'budget.hard_tokens', action: 'claim' } });
      const after = digestDatabase(team.dbPath);
      // Only the audit trail grew: one policy.deny per refusal, nothing else changed.
      expect({ ...after, audit_events: null }).toEqual({ ...before, audit_events: null });
      const denials = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'policy.deny');
      expect(denials.map((e) => [e.decision, e.actor_agent_id, e.data['tool'], e.data['rule']])).toEqual([
        ['deny', started.agent.id, 'team_spawn', 'budget.hard_tokens'],
        ['deny', mateId, 'team_task_next', 'budget.hard_tokens'],
      ]);
      const hints = (await lead.caller.ok('team_status')).hints;
      expect(hints?.budget).toBe('hard_exceeded');
      expect(hints?.spawn).toEqual([]);
      const usage = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'usage.report');
      expect(usage.map((e) => e.data['crossed'])).toEqual(['soft', null, 'hard']);
      expect(team.logs.some((l) => l['msg'] === 'policy decision' && l['rule'] === 'budget.hard_tokens' && l['outcome'] === 'deny')).toBe(true);
    });
  });

  describe('bounds on reported usage', () => {
    it('refuses one implausible usage report with INVALID_INPUT, audits the refusal, and charges nothing', async () => {
      const { lead, started } = await team.startTeam({ name: 'bounded' });
      const before = digestDatabase(team.dbPath);
      const refused = await lead.caller.fails('team_inbox', { usage: { input_tokens: 2_147_483_648, output_tokens: 0 } });
      expect(refused.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(refused.details)).toContain(`must be at most ${LIMITS.usageInputTokensMax} tokens in one report`);
      for (const usage of [
        { input_tokens: 10, output_tokens: LIMITS.usageOutputTokensMax + 1 },
        { input_tokens: 10, output_tokens: 0, cached_input_tokens: 11 },
      ]) {
        expect((await lead.caller.fails('team_inbox', { usage })).code).toBe('INVALID_INPUT');
      }
      const after = digestDatabase(team.dbPath);
      expect({ ...after, authz_decisions: null }).toEqual({ ...before, authz_decisions: null });
      const decisions = await team.store.listAuthzDecisions({ teamId: started.team.id, afterSeq: 0, limit: 100 });
      const refusals = decisions.filter((d) => d.tool === 'team_inbox');
      expect(refusals.map((d) => [d.decision, d.rule, d.outcome])).toEqual(Array(3).fill(['deny', 'input:schema', 'INVALID_INPUT']));
      // The largest plausible report is charged in full; the team is not locked out by it.
      await lead.caller.ok('team_inbox', { usage: { input_tokens: LIMITS.usageInputTokensMax, output_tokens: LIMITS.usageOutputTokensMax } });
      expect((await lead.caller.ok('team_status')).hints?.budget).toBe('ok');
      expect((await lead.caller.ok('team_run_summary')).usage?.budget).toMatchObject({
        used_tokens: LIMITS.usageInputTokensMax + LIMITS.usageOutputTokensMax,
        state: 'ok',
      });
    });
  });

  describe('early stop', () => {
    it('reports ready to finalize once every task is done, and after the lead declares consensus refuses new claims', async () => {
      const { lead, started } = await team.startTeam({ name: 'stopper' });
      const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
      const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'only' }] });
      expect((await mate.caller.ok('team_status')).ready_to_finalize.ready).toBe(false);
      const claim = await mate.caller.ok('team_task_next');
      await mate.caller.ok('team_task_complete', { task_id: claim.claim?.task.id, fence: claim.claim?.fence, result: 'ok' });
      const done = await mate.caller.ok('team_status');
      expect(done.ready_to_finalize).toEqual({ ready: true, reason: 'all 1 tasks are finished (1 done): finalize the team' });
      expect((await lead.caller.ok('team_status')).hints?.spawn).toEqual([]);

      await lead.caller.ok('team_task_create', { tasks: [{ title: 'late idea' }, { title: 'another' }] });
      expect((await mate.caller.ok('team_status')).ready_to_finalize.ready).toBe(false);
      expect(await mate.caller.code('team_send', { to: '*', body: 'I think we are done', consensus: true })).toBe('DENIED');
      await lead.caller.ok('team_send', { to: '*', body: 'Consensus: ship what we have', consensus: true });
      const status = await mate.caller.ok('team_status');
      expect(status.ready_to_finalize.ready).toBe(true);
      expect(status.ready_to_finalize.reason).toContain('the lead declared consensus');
      const next = await mate.caller.ok('team_task_next');
      expect(next.claim).toBeNull();
      expect(next.reason).toMatch(/^the team is ready to finalize, no new claims: the lead declared consensus/);
      const readyId = created.ids[0];
      const others = await lead.caller.ok('team_task_list', { status: ['ready'] });
      const claimById = await mate.caller.fails('team_task_next', { task_id: others.tasks[0]?.id ?? readyId });
      expect(claimById).toMatchObject({ code: 'CONFLICT', details: { rule: 'guardrails.early_stop' } });
      const denials = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'policy.deny');
      expect(denials.map((e) => e.data['tool'])).toEqual(['team_task_next', 'team_task_next']);
      const finalized = await lead.caller.ok('team_finalize', { summary: 'agreed', force: true });
      expect(finalized.cancelled_task_ids).toHaveLength(2);
    });
  });

  describe('compact messaging', () => {
    it("refuses bodies over the profile's limit with a hint to publish an artifact, and audits it", async () => {
      const { lead, started } = await team.startTeam({ name: 'terse', profile: 'fast' }); // 4096 bytes
      const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
      const before = digestDatabase(team.dbPath);
      const refused = await mate.caller.fails('team_send', { to: started.agent.id, body: 'x'.repeat(5_000) });
      expect(refused).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        details: { rule: 'messages.body_max_bytes', limit_bytes: 4_096, bytes: 5_000, hint: LONG_BODY_HINT },
      });
      expect(refused.message).toContain('team_artifact_publish');
      // Over the contract limit it is the store's refusal: no policy decision, nothing written.
      const huge = await mate.caller.fails('team_send', { to: started.agent.id, body: 'y'.repeat(LIMITS.messageBodyMaxBytes + 1) });
      expect(huge).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { max_bytes: LIMITS.messageBodyMaxBytes } });
      expect((await actionsOf(started.team.id)).filter((a) => a === 'policy.deny')).toHaveLength(1);
      expect({ ...digestDatabase(team.dbPath), audit_events: null }).toEqual({ ...before, audit_events: null });

      const artifact = await mate.caller.ok('team_artifact_publish', { name: 'report', content: 'x'.repeat(5_000) });
      const sent = await mate.caller.ok('team_send', { to: started.agent.id, body: 'see the report', artifact_refs: [artifact.artifact.id] });
      expect((await team.store.readTeam(started.team.id)).messages.find((m) => m.id === sent.message_id)?.artifact_refs).toEqual([artifact.artifact.id]);
    });
  });

  describe('readiness hints', () => {
    it('tells the lead which roles to spawn, with purpose and reasons, and logs each recommendation once', async () => {
      const { lead, started } = await team.startTeam({ name: 'hints' });
      await lead.caller.ok('team_task_create', {
        tasks: [
          { key: 'a', title: 'a', required_role: 'implementer' },
          { key: 'b', title: 'b', required_role: 'implementer' },
          { key: 'c', title: 'c', required_role: 'implementer' },
          { key: 'r', title: 'review', required_role: 'reviewer', depends_on: ['a'] },
        ],
      });
      const first = await lead.caller.ok('team_status');
      expect(first.hints?.spawn.map((s) => [s.role, s.count])).toEqual([['implementer', 2]]);
      expect(first.hints?.reason).toMatch(/spawn 2 agents/);
      expect(first.hints?.cap).toBe(6);
      await lead.caller.ok('team_status');
      const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
      expect((await mate.caller.ok('team_status')).hints).toBeNull();
      const third = await lead.caller.ok('team_status');
      expect(third.hints?.spawn.map((s) => [s.role, s.count])).toEqual([['implementer', 1]]);
      const fanout = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'policy.fanout');
      expect(fanout.map((e) => e.data['spawn'])).toEqual([[{ role: 'implementer', count: 2 }], [{ role: 'implementer', count: 1 }]]);
      expect(fanout[0]?.reason).toContain('cap 6 = min(profile default threads.hard_cap 6, team max_threads 6, absolute limit 6)');
    });
  });

  describe('idle sweep (fake clock)', () => {
    it('retires idle teammates under fast, then finalizes the quiet team, on the server clock only', async () => {
      const { lead, started } = await team.startTeam({ name: 'sleepy', profile: 'fast' }); // agent 2 min, team 15 min, retire
      const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
      const spawned = await lead.caller.ok('team_spawn', { name: 'ghost', role: 'tester' });
      await lead.caller.ok('team_task_create', { tasks: [{ title: 'left' }] });
      team.clock.advance(119_000);
      await team.sweeper.sweep();
      expect(await actionsOf(started.team.id)).not.toContain('agent.retire');
      await mate.caller.ok('team_task_create', { tasks: [{ title: 'ann was here' }] });
      team.clock.advance(2_000);
      await team.sweeper.sweep();
      const retired = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'agent.retire');
      expect(retired.map((e) => [e.subject_id, e.actor_agent_id])).toEqual([[spawned.agent.id, null]]);
      expect(retired[0]?.reason).toMatch(/^idle\.retire_idle_agents: never seen since spawn for 121000 ms \(timeout 120000 ms\)/);
      team.clock.advance(120_000);
      await team.sweeper.sweep();
      expect(await mate.caller.code('team_status')).toBe('NOT_BOUND');
      const status = await lead.caller.ok('team_status');
      expect(status.agents.filter((a) => a.state === 'retired').map((a) => a.id).sort()).toEqual([joined.agent.id, spawned.agent.id].sort());
      expect(status.team.state).toBe('active');
      team.clock.advance(15 * 60_000);
      await team.sweeper.sweep();
      const final = await lead.caller.ok('team_status');
      expect(final.team).toMatchObject({ state: 'finalized' });
      expect((await team.store.readTeam(final.team.id)).team.summary).toMatch(/^finalized by the idle sweep: no activity for \d+ ms \(timeout 900000 ms\)/);
      expect(final.tasks_by_status.cancelled).toBe(2);
      const swept = team.logs.filter((l) => String(l['msg']).startsWith('recovery:'));
      expect(swept.map((l) => [l['rule'], l['outcome']])).toEqual([
        ['idle.retire_idle_agents', 'retired'],
        ['idle.retire_idle_agents', 'retired'],
        ['idle.team_timeout_ms', 'finalized'],
      ]);
    });

    it('under default, marks a silent teammate lost (its slot freed, never retired) and takes it back when it calls again', async () => {
      const { lead, started } = await team.startTeam({ name: 'patient' }); // agent 10 min, no retire
      const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
      team.clock.advance(10 * 60_000 - 1);
      await team.sweeper.sweep();
      expect((await lead.caller.ok('team_status')).agents.find((a) => a.id === joined.agent.id)?.state).toBe('active');
      team.clock.advance(1);
      await team.sweeper.sweep();
      // One setting, one decision: idle.agent_timeout_ms makes it lost; retire_idle_agents: false keeps it resumable.
      const status = await lead.caller.ok('team_status');
      expect(status.agents.find((a) => a.id === joined.agent.id)?.state).toBe('disconnected');
      expect(status.active_threads).toBe(0);
      expect((await mate.caller.ok('team_status')).me.state).toBe('active');
      const events = await team.store.listAuditEvents(started.team.id);
      const liveness = events.filter((e) => e.subject_id === joined.agent.id && e.action !== 'agent.spawn' && e.action !== 'agent.join');
      expect(liveness.map((e) => e.action)).toEqual(['agent.lost', 'agent.heartbeat']);
    });
  });
});
