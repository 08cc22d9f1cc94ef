import { replayAuditTrail } from '../audit-replay';
import type { RecoveryPlan, RecoveryStep } from '../team-store';
import type { Fixture, TeamHandle } from './harness.conformance';
import { LEASE, complete, publish, send } from './harness.conformance';

const NO_TASKS = { tasks: [], reinstate: false };

/** A claim of `taskId` taken back as the decision saw it now. */
async function reclaimStep(fx: Fixture, t: TeamHandle, taskId: string, to: 'ready' | 'failed'): Promise<RecoveryStep> {
  const view = await fx.store.recoveryView({ teamId: t.team.id });
  const claim = view.teams[0]?.claims.find((c) => c.taskId === taskId);
  if (claim === undefined) throw new Error(`no claim of ${taskId} in the recovery view`);
  return {
    kind: 'reclaim_task',
    teamId: t.team.id,
    taskId,
    to,
    expect: { ownerAgentId: claim.ownerAgentId, fence: claim.fence, leaseExpiresAt: claim.leaseExpiresAt },
    rule: 'lease.expired',
    reason: 'its lease expired',
  };
}

async function lostStep(fx: Fixture, t: TeamHandle, agentId: string, to: 'disconnected' | 'retired'): Promise<RecoveryStep> {
  const view = await fx.store.recoveryView({ teamId: t.team.id });
  const agent = view.teams[0]?.agents.find((a) => a.id === agentId);
  if (agent === undefined) throw new Error(`no agent ${agentId} in the recovery view`);
  return {
    kind: 'mark_agent_lost',
    teamId: t.team.id,
    agentId,
    to,
    expect: { state: agent.state, epoch: agent.epoch, lastSeenAt: agent.lastSeenAt },
    rule: 'agent.stale',
    reason: 'not heard from',
  };
}

async function retireStep(fx: Fixture, t: TeamHandle, agentId: string, rule: string, reason: string): Promise<RecoveryStep> {
  const view = await fx.store.recoveryView({ teamId: t.team.id });
  const agent = view.teams[0]?.agents.find((a) => a.id === agentId);
  if (agent === undefined) throw new Error(`no agent ${agentId} in the recovery view`);
  return { kind: 'retire_agent', teamId: t.team.id, agentId, expect: { state: agent.state, epoch: agent.epoch, lastSeenAt: agent.lastSeenAt }, rule, reason };
}

/** Heartbeats, lease renewal, recovery steps (compare-and-set), notices and the resume snapshot. */
export function describeRecoveryRules(fixture: () => Fixture): void {
  describe('heartbeats', () => {
    it('records that the agent is seen now, and renews the leases it names, one event each', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const b = await fx.createTask(t.lead, { title: 'b' });
      const ca = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      const cb = await fx.store.claimTask(ann.actor, { task_id: b }, LEASE);
      fx.clock.advance(40_000);
      const beat = await fx.store.heartbeatAgent(
        ann.binding,
        { tasks: [{ task_id: a, fence: ca.fence }, { task_id: b, fence: cb.fence }, { task_id: a, fence: ca.fence }], reinstate: false },
        { leaseMs: 30_000 },
      );
      const until = new Date(fx.clock.now() + 30_000).toISOString();
      expect(beat).toEqual({
        last_seen_at: new Date(fx.clock.now()).toISOString(),
        leases: [
          { task_id: a, fence: ca.fence, lease_expires_at: until },
          { task_id: b, fence: cb.fence, lease_expires_at: until },
        ],
      });
      expect((await fx.actions(t.team.id)).slice(-3)).toEqual(['agent.heartbeat', 'task.renew', 'task.renew']);
      fx.clock.advance(29_999);
      await fx.store.completeTask(ann.actor, complete(a, ca.fence));
    });

    it('refuses the whole heartbeat with STALE_CLAIM when any claim is not the caller\'s, changing nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bob = await fx.addMember(t, 'bob');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const b = await fx.createTask(t.lead, { title: 'b' });
      const ca = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      const cb = await fx.store.claimTask(bob.actor, { task_id: b }, LEASE);
      const renew = (tasks: { task_id: string; fence: number }[]) => () =>
        fx.store.heartbeatAgent(ann.binding, { tasks, reinstate: true }, LEASE);
      await fx.expectRefused('STALE_CLAIM', renew([{ task_id: a, fence: ca.fence }, { task_id: b, fence: cb.fence }]));
      await fx.expectRefused('STALE_CLAIM', renew([{ task_id: a, fence: ca.fence + 1 }]));
      fx.clock.advance(LEASE.leaseMs);
      await fx.expectRefused('STALE_CLAIM', renew([{ task_id: a, fence: ca.fence }]));
      await fx.expectRefused('NOT_FOUND', renew([{ task_id: 'tk_zzzzzzzz', fence: 1 }]));
    });

    it('refuses a superseded session, and a finalized team', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') });
      await fx.expectRefused('NOT_BOUND', () => fx.store.heartbeatAgent(ann.binding, NO_TASKS, LEASE));
      await fx.store.finalizeTeam(t.lead, { summary: '', force: true });
      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.heartbeatAgent(t.binding, NO_TASKS, LEASE));
    });

    it('takes a lost agent back only when asked to and while a thread slot is free', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 1 });
      const ann = await fx.addMember(t, 'ann');
      await fx.store.applyRecovery({ steps: [await lostStep(fx, t, ann.agentId, 'disconnected')] });
      await fx.expectNoChange(() => fx.store.heartbeatAgent(ann.binding, NO_TASKS, LEASE));
      const bob = await fx.addMember(t, 'bob');
      await fx.expectRefused('NOT_BOUND', () => fx.store.heartbeatAgent(ann.binding, { tasks: [], reinstate: true }, LEASE));
      await fx.store.applyRecovery({ steps: [await lostStep(fx, t, bob.agentId, 'disconnected')] });
      await fx.store.heartbeatAgent(ann.binding, { tasks: [], reinstate: true }, LEASE);
      const agents = (await fx.store.getStatus(t.lead)).agents;
      expect(agents.map((agent) => [agent.name, agent.state])).toEqual([
        ['lead', 'active'],
        ['ann', 'active'],
        ['bob', 'disconnected'],
      ]);
      const event = (await fx.audit(t.team.id)).at(-1);
      expect(event).toMatchObject({ action: 'agent.heartbeat', actor_agent_id: ann.agentId });
      expect(event?.reason).toMatch(/back after recovery marked it lost/);
    });
  });

  describe('recovery steps', () => {
    it('shows the claims in flight and the agents that are not retired, of active teams, in a fixed order', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const done = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const a = await fx.createTask(t.lead, { title: 'a' });
      await fx.createTask(t.lead, { title: 'idle' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      await fx.store.finalizeTeam(done.lead, { summary: '', force: true });
      const view = await fx.store.recoveryView({});
      expect(view.now).toBe(fx.clock.now());
      expect(view.teams).toEqual([
        {
          teamId: t.team.id,
          name: t.team.name,
          profile: t.team.profile,
          settings: expect.objectContaining({ name: 'default' }),
          leadAgentId: t.lead.agentId,
          parent: null,
          leadLostAt: null,
          // The claim, by ann, is the team's latest activity.
          lastActivityAt: fx.clock.now(),
          stateHead: expect.any(Number),
          mode: { current: 'default', expiresAt: null, returnsTo: null },
          // No checkpoint yet: every event of the team since its start counts.
          checkpoint: { uptoSeq: 0, eventsSince: (await fx.audit(t.team.id)).length },
          agents: [
            expect.objectContaining({ id: t.lead.agentId, state: 'active', epoch: 1 }),
            expect.objectContaining({ id: ann.agentId, state: 'active', epoch: 1, lastSeenAt: fx.clock.now() }),
          ],
          claims: [
            {
              taskId: a,
              title: 'a',
              ownerAgentId: ann.agentId,
              fence: claim.fence,
              leaseExpiresAt: fx.clock.now() + LEASE.leaseMs,
              attempts: 1,
            },
          ],
        },
      ]);
      expect(await fx.store.recoveryView({ teamId: done.team.id })).toEqual({ now: fx.clock.now(), teams: [] });
    });

    it('takes a claim back once, audits it without an actor, and tells the lead; the same plan again changes nothing', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      fx.clock.advance(LEASE.leaseMs);
      const plan: RecoveryPlan = { steps: [await reclaimStep(fx, t, a, 'ready')] };
      const result = await fx.store.applyRecovery(plan);
      expect(result.applied.map((applied) => applied.outcome)).toEqual(['ready']);
      expect(result.skipped).toEqual([]);
      expect(result.notices).toEqual([
        expect.objectContaining({ from_agent_id: null, to_agent_id: t.lead.agentId, task_id: null }),
      ]);
      expect(result.notices[0]?.body).toContain(a);
      const events = (await fx.audit(t.team.id)).slice(-2);
      expect(events.map((e) => [e.action, e.actor_agent_id])).toEqual([
        ['task.recover', null],
        ['message.send', null],
      ]);
      expect(events[0]?.data['task']).toMatchObject({ id: a, status: 'ready', owner_agent_id: null, fence: claim.fence });
      // The rule is data, as a retirement's is: a supervisor tells a lapsed lease by it, not by the reason's text.
      expect(events[0]?.data['rule']).toBe('lease.expired');
      expect((await fx.store.getStatus(t.lead)).unread_messages).toBe(1);
      expect((await fx.store.getStatus(ann.actor)).unread_messages).toBe(0);
      expect((await fx.store.readInbox(t.lead, { ack: [] })).messages).toEqual(result.notices);

      const again = await fx.expectNoChange(() => fx.store.applyRecovery(plan));
      expect(again).toEqual({ applied: [], skipped: plan.steps, notices: [] });
      await fx.expectRefused('STALE_CLAIM', () => fx.store.completeTask(ann.actor, complete(a, claim.fence)));
      const next = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      expect(next.fence).toBe(claim.fence + 1);
    });

    it('skips a step whose claim changed since the decision: renewed, completed or claimed anew', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      const decided = await reclaimStep(fx, t, a, 'ready');
      fx.clock.advance(1_000);
      await fx.store.updateTask(ann.actor, { task_id: a, fence: claim.fence }, LEASE);
      await fx.expectNoChange(() => fx.store.applyRecovery({ steps: [decided] }));
      const renewed = await reclaimStep(fx, t, a, 'ready');
      await fx.store.completeTask(ann.actor, complete(a, claim.fence));
      expect(await fx.expectNoChange(() => fx.store.applyRecovery({ steps: [renewed] }))).toMatchObject({ applied: [] });
    });

    it('fails a claim that ran out of attempts, keeping its last holder and the reason', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const out = await fx.store.createTasks(t.lead, {
        tasks: [
          { key: 'a', title: 'a', description: '', priority: 0, depends_on: [] },
          { title: 'b', description: '', priority: 0, depends_on: ['a'] },
        ],
      });
      const a = out.tasks[0]?.id ?? '';
      await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      const step = await reclaimStep(fx, t, a, 'failed');
      await fx.store.applyRecovery({ steps: [step] });
      const tasks = (await fx.store.listTasks(t.lead, {})).tasks;
      expect(tasks[0]).toMatchObject({ status: 'failed', owner_agent_id: ann.agentId, lease_expires_at: null, result: 'recovery: its lease expired' });
      expect(tasks[1]).toMatchObject({ status: 'blocked' });
    });

    it("keeps a claim whose holder's retirement in the same plan was skipped (its session's disconnect came between)", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'held' });
      await fx.store.claimTask(ann.actor, { task_id: taskId }, LEASE);
      const reclaim = await reclaimStep(fx, t, taskId, 'ready');
      const plan: RecoveryPlan = {
        steps: [await retireStep(fx, t, ann.agentId, 'runtime.worker_exited', 'its process ended'), { ...reclaim, rule: 'agent.gone', reason: 'its holder is retired' }],
      };
      fx.clock.advance(1_000);
      await fx.store.disconnectAgent(ann.binding, 'stdin closed');
      const skipped = await fx.expectNoChange(() => fx.store.applyRecovery(plan));
      expect([skipped.applied, skipped.skipped.length]).toEqual([[], 2]);
      expect((await fx.store.listTasks(t.lead, {})).tasks[0]).toMatchObject({ status: 'in_progress', owner_agent_id: ann.agentId });
    });

    it('frees the thread slot of a lost teammate and withdraws a stale invitation', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ maxThreads: 2 });
      const ann = await fx.addMember(t, 'ann');
      const invited = fx.ticket('join');
      const carl = await fx.store.spawnAgent(t.lead, { name: 'carl', role: 'tester', joinTicketHash: invited });
      await fx.expectRefused('LIMIT_EXCEEDED', () => fx.store.spawnAgent(t.lead, { name: 'dan', role: 'tester', joinTicketHash: fx.ticket('join') }));
      const result = await fx.store.applyRecovery({
        steps: [await lostStep(fx, t, ann.agentId, 'disconnected'), await lostStep(fx, t, carl.id, 'retired')],
      });
      expect(result.applied.map((applied) => applied.outcome)).toEqual(['disconnected', 'retired']);
      expect((await fx.actions(t.team.id)).slice(-3)).toEqual(['agent.lost', 'agent.lost', 'message.send']);
      expect((await fx.store.getStatus(t.lead)).active_threads).toBe(0);
      await fx.expectRefused('NOT_FOUND', () => fx.store.joinAgent({ joinTicketHash: invited, resumeTicketHash: fx.ticket('resume') }));
      await fx.addMember(t, 'erin');
      await fx.addMember(t, 'fay');
    });

    it('retires an idle teammate and finalizes an idle team, each once and audited without an actor, telling no lead', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const taskId = await fx.createTask(t.lead, { title: 'left over' });
      const lastActivityAt = (await fx.store.recoveryView({ teamId: t.team.id })).teams[0]?.lastActivityAt ?? 0;
      const plan: RecoveryPlan = {
        steps: [
          await retireStep(fx, t, ann.agentId, 'idle.retire_idle_agents', 'quiet'),
          { kind: 'finalize_team', teamId: t.team.id, expect: { lastActivityAt }, rule: 'idle.team_timeout_ms', reason: 'no activity for 2 h' },
        ],
      };
      fx.clock.advance(60_000);
      const result = await fx.store.applyRecovery(plan);
      expect(result.applied.map((applied) => applied.outcome)).toEqual(['retired', 'finalized']);
      expect(result.notices).toEqual([]);
      const events = (await fx.audit(t.team.id)).filter((e) => e.actor_agent_id === null);
      expect(events.map((e) => [e.action, e.subject_id, e.reason])).toEqual([
        ['agent.retire', ann.agentId, 'idle.retire_idle_agents: quiet'],
        ['team.finalize', t.team.id, 'idle.team_timeout_ms: no activity for 2 h; 1 unfinished tasks cancelled'],
      ]);
      // The rule is data too, as a retirement by a rebalancing directive records it: a supervisor reads it.
      expect(events[0]?.data['rule']).toBe('idle.retire_idle_agents');
      const snapshot = await fx.store.readTeam(t.team.id);
      expect(snapshot.team).toMatchObject({ state: 'finalized', summary: 'finalized by the idle sweep: no activity for 2 h' });
      expect(snapshot.idle_since).toEqual({ [ann.agentId]: new Date(fx.clock.now()).toISOString() });
      expect(snapshot.tasks.map((task) => [task.id, task.status])).toEqual([[taskId, 'cancelled']]);
      expect(replayAuditTrail(await fx.audit(t.team.id))).toEqual(snapshot);
      // Applied again, nothing changes: the agent is retired and the team finalized.
      const again = await fx.expectNoChange(() => fx.store.applyRecovery(plan));
      expect([again.applied, again.skipped.length]).toEqual([[], 2]);
    });

    it('finalizes an idle team only if no agent acted since the decision, and records a lapsed mode once', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await fx.store.setMode(t.lead, { mode: 'plan', reason: 'briefly', ttlMs: 1_000 });
      const decided = await fx.store.recoveryView({ teamId: t.team.id });
      const team = decided.teams[0];
      if (team === undefined || team.mode.expiresAt === null) throw new Error('no temporary mode in the view');
      fx.clock.advance(1_000);
      await fx.createTask(t.lead, { title: 'the lead is busy' });
      const plan: RecoveryPlan = {
        steps: [
          { kind: 'finalize_team', teamId: t.team.id, expect: { lastActivityAt: team.lastActivityAt }, rule: 'idle.team_timeout_ms', reason: 'quiet' },
          { kind: 'expire_mode', teamId: t.team.id, expect: { expiresAt: team.mode.expiresAt }, rule: 'mode.ttl', reason: 'lapsed' },
        ],
      };
      const result = await fx.store.applyRecovery(plan);
      expect([result.applied.map((a) => a.step.kind), result.skipped.map((step) => step.kind)]).toEqual([['expire_mode'], ['finalize_team']]);
      expect((await fx.store.readTeam(t.team.id)).team.state).toBe('active');
      expect((await fx.actions(t.team.id)).filter((action) => action === 'mode.expire')).toHaveLength(1);
      expect((await fx.store.applyRecovery({ steps: [plan.steps[1] as RecoveryStep] })).applied).toEqual([]);
    });

    it('replays recovery, heartbeats and notices to the state like every other change', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const b = await fx.createTask(t.lead, { title: 'b' });
      const ca = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      await fx.store.claimTask(ann.actor, { task_id: b }, LEASE);
      await fx.store.heartbeatAgent(ann.binding, { tasks: [{ task_id: a, fence: ca.fence }], reinstate: false }, LEASE);
      await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'on a', { task_id: a, fence: ca.fence }));
      fx.clock.advance(LEASE.leaseMs);
      await fx.store.applyRecovery({
        steps: [await lostStep(fx, t, ann.agentId, 'disconnected'), await reclaimStep(fx, t, a, 'ready'), await reclaimStep(fx, t, b, 'failed')],
      });
      await fx.store.heartbeatAgent(ann.binding, { tasks: [], reinstate: true }, LEASE);
      // The whole snapshot, as readTeam shows it now: agents, tasks, notices, acks, idle times and all.
      const snapshot = await fx.store.readTeam(t.team.id);
      expect(replayAuditTrail(await fx.audit(t.team.id), { now: fx.clock.now() })).toEqual(snapshot);
    });
  });

  describe('messages about a task', () => {
    it('ties a message to a task its sender holds, and refuses a stale or missing claim', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const claim = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      const sent = await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'halfway', { task_id: a, fence: claim.fence }));
      expect(sent.message).toMatchObject({ task_id: a, from_agent_id: ann.agentId });
      await fx.expectRefused('STALE_CLAIM', () => fx.store.sendMessage(t.lead, send(ann.agentId, 'mine?', { task_id: a, fence: claim.fence })));
      await fx.expectRefused('STALE_CLAIM', () => fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'x', { task_id: a })));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'x', { fence: claim.fence })));
      fx.clock.advance(LEASE.leaseMs);
      await fx.expectRefused('STALE_CLAIM', () =>
        fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'late', { task_id: a, fence: claim.fence })),
      );
      await fx.expectRefused('STALE_CLAIM', () => fx.store.publishArtifact(ann.actor, publish('late', 'x', { task_id: a, fence: claim.fence })));
    });
  });

  describe('brief facts', () => {
    it("give the caller's claims, unread messages (none acked), counts, agents, recovery since its previous session and claims in flight for the lead", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bob = await fx.addMember(t, 'bob');
      const a = await fx.createTask(t.lead, { title: 'a' });
      const b = await fx.createTask(t.lead, { title: 'b' });
      await fx.createTask(t.lead, { title: 'c' });
      await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
      fx.clock.advance(1_000);
      const cb = await fx.store.claimTask(bob.actor, { task_id: b }, LEASE);
      await fx.store.applyRecovery({ steps: [await lostStep(fx, t, ann.agentId, 'disconnected'), await reclaimStep(fx, t, a, 'ready')] });
      await fx.store.disconnectAgent(t.binding, 'stdin closed');
      const nextResume = fx.ticket('resume');
      await fx.store.resumeAgent({ resumeTicketHash: t.resumeHash, nextResumeTicketHash: nextResume });
      const facts = await fx.expectNoChange(() => fx.store.readBrief(t.lead));
      expect(facts).toMatchObject({
        claims: [],
        tasks_by_status: { blocked: 0, ready: 2, in_progress: 1, done: 0, failed: 0, cancelled: 0 },
        in_flight: [{ task_id: b, owner_agent_id: bob.agentId, fence: cb.fence, lease_expires_at: cb.lease_expires_at }],
        unread: { count: 1, oldest: [expect.objectContaining({ from_agent_id: null, to_agent_id: t.lead.agentId })] },
        recovery: [
          expect.objectContaining({ action: 'agent.lost', subject_id: ann.agentId }),
          expect.objectContaining({ action: 'task.recover', subject_id: a }),
        ],
        my_artifacts: [],
        checkpoint: null,
        consensus_at: null,
      });
      expect(facts.agents.map((agent) => [agent.name, agent.state])).toEqual([
        ['lead', 'active'],
        ['ann', 'disconnected'],
        ['bob', 'active'],
      ]);
      expect(facts.as_of_seq).toBe((await fx.audit(t.team.id)).at(-1)?.seq);
      // A teammate sees its own claim, and no claims in flight of others.
      expect(await fx.store.readBrief(bob.actor)).toMatchObject({
        claims: [{ task_id: b, title: 'b', fence: cb.fence, lease_expires_at: cb.lease_expires_at }],
        in_flight: [],
      });
      await fx.store.disconnectAgent({ ...t.binding, epoch: 2 }, 'again');
      await fx.store.resumeAgent({ resumeTicketHash: nextResume, nextResumeTicketHash: fx.ticket('resume') });
      expect((await fx.store.readBrief(t.lead)).recovery).toEqual([]);
    });
  });
}
