import { replayAuditTrail } from '../audit-replay';
import type { RecoveryStep } from '../team-store';
import type { Fixture } from './harness.conformance';
import { LEASE, complete, publish } from './harness.conformance';

/** What the sweep does about lapsed modes: its expire_mode steps, applied; how many it recorded. */
async function recordLapses(fx: Fixture): Promise<number> {
  const view = await fx.store.recoveryView({});
  const steps: RecoveryStep[] = view.teams.flatMap((team) =>
    team.mode.expiresAt !== null && team.mode.expiresAt <= view.now
      ? [{ kind: 'expire_mode' as const, teamId: team.teamId, expect: { expiresAt: team.mode.expiresAt }, rule: 'mode.ttl', reason: 'lapsed' }]
      : [],
  );
  if (steps.length === 0) return 0;
  return (await fx.store.applyRecovery({ steps })).applied.length;
}

/** Operating modes and plan reviews: stored state, lapses on the clock, the in-transaction gate. */
export function describeModeRules(fixture: () => Fixture): void {
  describe('operating modes', () => {
    it('reads a new team as default, and records a change with actor, reason and the mode before', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      expect(await fx.store.readMode(t.lead)).toEqual({
        current: 'default',
        set_by: null,
        reason: '',
        set_at: null,
        expires_at: null,
        returns_to: null,
      });
      const changed = await fx.store.setMode(t.lead, { mode: 'plan', reason: 'design first' });
      expect(changed.mode).toMatchObject({ current: 'plan', set_by: t.lead.agentId, reason: 'design first', expires_at: null });
      expect(changed.previous.current).toBe('default');
      expect((await fx.store.getStatus(t.lead)).team.mode.current).toBe('plan');
      const [event] = (await fx.audit(t.team.id)).filter((e) => e.action === 'mode.set');
      expect(event).toMatchObject({ actor_agent_id: t.lead.agentId, decision: 'allow' });
      expect(event?.reason).toContain('design first');
      expect(event?.data['previous']).toMatchObject({ current: 'default' });
    });

    it('refuses a change by a teammate or to the same mode, changing nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.expectRefused('DENIED', () => fx.store.setMode(ann.actor, { mode: 'plan', reason: 'me' }));
      await fx.expectPolicyRefused('CONFLICT', 'mode.transition:unchanged', () => fx.store.setMode(t.lead, { mode: 'default', reason: 'again' }));
    });

    it('returns a temporary mode at its time on every read, and the sweep records the lapse once', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await fx.store.setMode(t.lead, { mode: 'plan', reason: 'lasting plan' });
      await fx.store.setMode(t.lead, { mode: 'delegate', reason: 'for ten seconds', ttlMs: 10_000 });
      fx.clock.advance(9_999);
      expect((await fx.store.readMode(t.lead)).current).toBe('delegate');
      fx.clock.advance(1);
      // Lapsed: every read already sees the lasting mode, before anything recorded the lapse.
      expect(await fx.store.readMode(t.lead)).toMatchObject({ current: 'plan', expires_at: null, returns_to: null });
      expect((await fx.store.verifyBinding(t.binding)).team.mode.current).toBe('plan');
      // Replay applies the same rule at the same time, so it agrees with the store before the lapse is recorded...
      const events = await fx.audit(t.team.id);
      expect(replayAuditTrail(events, { now: fx.clock.now() }).team).toEqual((await fx.store.readTeam(t.team.id)).team);
      expect(replayAuditTrail(events).team.mode.current).toBe('delegate');
      expect(await recordLapses(fx)).toBe(1);
      // ...and after it, with or without a time.
      expect(replayAuditTrail(await fx.audit(t.team.id)).team).toEqual((await fx.store.readTeam(t.team.id)).team);
      expect(await recordLapses(fx)).toBe(0);
      const lapses = (await fx.audit(t.team.id)).filter((e) => e.action === 'mode.expire');
      expect(lapses).toHaveLength(1);
      expect(lapses[0]).toMatchObject({ actor_agent_id: null, subject_id: t.team.id });
      expect((await fx.store.readMode(t.lead)).current).toBe('plan');
    });

    it('stacks no temporary modes: a temporary mode set over another returns to the lasting one', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await fx.store.setMode(t.lead, { mode: 'plan', reason: 'a while', ttlMs: 60_000 });
      const second = await fx.store.setMode(t.lead, { mode: 'delegate', reason: 'shorter', ttlMs: 5_000 });
      expect(second.mode).toMatchObject({ current: 'delegate', returns_to: 'default' });
      fx.clock.advance(5_000);
      expect((await fx.store.readMode(t.lead)).current).toBe('default');
    });

    it('records a lapse still pending before the next change, so the trail shows both', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await fx.store.setMode(t.lead, { mode: 'plan', reason: 'briefly', ttlMs: 1_000 });
      fx.clock.advance(2_000);
      const changed = await fx.store.setMode(t.lead, { mode: 'delegate', reason: 'next' });
      expect(changed.previous.current).toBe('default');
      expect((await fx.actions(t.team.id)).filter((a) => a.startsWith('mode.'))).toEqual(['mode.set', 'mode.expire', 'mode.set']);
    });

    it("re-checks the team's mode inside each gated write, refusing by the gate's rule, audited", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'work' });
      const other = await fx.createTask(t.lead, { title: 'more' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE);
      await fx.store.setMode(t.lead, { mode: 'plan', reason: 'stop and think' });
      await fx.expectPolicyRefused('DENIED', 'mode.plan:no-completions', () => fx.store.completeTask(ann.actor, complete(taskId, claim.fence)));
      await fx.expectPolicyRefused('DENIED', 'mode.plan:plans-only', () => fx.store.publishArtifact(ann.actor, publish('notes', 'x')));
      await fx.expectPolicyRefused('DENIED', 'mode.plan:no-execution-spawn', () =>
        fx.store.spawnAgent(t.lead, { name: 'bob', role: 'tester', joinTicketHash: fx.ticket('join') }),
      );
      await fx.expectPolicyRefused('DENIED', 'mode.plan:no-claims', () => fx.store.claimNextTask(ann.actor, LEASE));
      // Progress is still reported in plan mode; planning roles may still be spawned.
      await fx.store.updateTask(ann.actor, { task_id: taskId, fence: claim.fence, progress: 'thinking' }, LEASE);
      await fx.store.spawnAgent(t.lead, { name: 'pia', role: 'planner', joinTicketHash: fx.ticket('join') });
      await fx.store.setMode(t.lead, { mode: 'delegate', reason: 'lead coordinates' });
      await fx.expectPolicyRefused('DENIED', 'mode.delegate:lead-coordinates', () => fx.store.claimTask(t.lead, { task_id: other }, LEASE));
      await fx.store.completeTask(ann.actor, complete(taskId, claim.fence));
    });
  });

  describe('plan reviews', () => {
    it('lets the author submit a plan, tells the lead, and records the lead approving it with a reason', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'planner');
      const plan = await fx.store.publishArtifact(ann.actor, publish('plan.md', '# plan', { plan: true }));
      expect(plan.plan).toBe(true);
      const submitted = await fx.store.submitPlan(ann.actor, plan.id);
      expect(submitted).toMatchObject({ artifact_id: plan.id, submitted_by: ann.agentId, status: 'pending', reviewed_by: null });
      const leadInbox = await fx.store.readInbox(t.lead, { ack: [] });
      expect(leadInbox.messages.map((m) => [m.from_agent_id, m.artifact_refs])).toEqual([[ann.agentId, [plan.id]]]);
      const approved = await fx.store.reviewPlan(t.lead, { artifactId: plan.id, approve: true, reason: 'clear and small' });
      expect(approved).toMatchObject({ status: 'approved', reviewed_by: t.lead.agentId, reason: 'clear and small' });
      const annInbox = await fx.store.readInbox(ann.actor, { ack: [] });
      expect(annInbox.messages.map((m) => m.body)).toEqual(['plan approved: clear and small']);
      expect((await fx.actions(t.team.id)).filter((a) => a.startsWith('plan.'))).toEqual(['plan.submit', 'plan.approve']);
      // Replay rebuilds the notices from the plan events, like any message.
      const replayed = replayAuditTrail(await fx.audit(t.team.id));
      expect(replayed.messages.map((m) => m.body).sort()).toEqual(annInbox.messages.concat(leadInbox.messages).map((m) => m.body).sort());
    });

    it('refuses submitting what is not a plan or not yours, twice, and reviews by teammates or of settled plans', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann', 'planner');
      const bob = await fx.addMember(t, 'bob', 'planner');
      const notes = await fx.store.publishArtifact(ann.actor, publish('notes.md', 'x'));
      const plan = await fx.store.publishArtifact(ann.actor, publish('plan.md', 'x', { plan: true }));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.submitPlan(ann.actor, notes.id));
      await fx.expectRefused('DENIED', () => fx.store.submitPlan(bob.actor, plan.id));
      await fx.store.submitPlan(ann.actor, plan.id);
      await fx.expectRefused('CONFLICT', () => fx.store.submitPlan(ann.actor, plan.id));
      await fx.expectRefused('DENIED', () => fx.store.reviewPlan(bob.actor, { artifactId: plan.id, approve: true, reason: 'ok' }));
      await fx.store.reviewPlan(t.lead, { artifactId: plan.id, approve: false, reason: 'too vague' });
      await fx.expectRefused('CONFLICT', () => fx.store.reviewPlan(t.lead, { artifactId: plan.id, approve: true, reason: 'changed my mind' }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.reviewPlan(t.lead, { artifactId: notes.id, approve: true, reason: 'never submitted' }));
    });

    it('keeps plans of another team NOT_FOUND', async () => {
      const fx = fixture();
      const a = await fx.startTeam({ name: 'a' });
      const b = await fx.startTeam({ name: 'b' });
      const plan = await fx.store.publishArtifact(a.lead, publish('plan.md', 'x', { plan: true }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.submitPlan(b.lead, plan.id));
      await fx.store.submitPlan(a.lead, plan.id);
      await fx.expectRefused('NOT_FOUND', () => fx.store.reviewPlan(b.lead, { artifactId: plan.id, approve: true, reason: 'not mine' }));
    });
  });
}
