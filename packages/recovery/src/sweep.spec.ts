import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEvent } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, type Actor, type RecoveryStep, type SqliteTeamStore } from '@codex-team/store';
import { digestDatabase } from '@codex-team/store/testing';
import { decideRecovery } from './decide-recovery';
import { recoveryPolicy, staleAfterOf } from './recovery-policy';
import { QUIET_REBALANCE_EVERY_MS, RecoverySweeper, TIMER_REBALANCE_EVERY_MS, recoveryActionOf, runRecoverySweep } from './sweep';

const policy = recoveryPolicy({ leaseMs: 10_000, graceMs: 2_000, staleAfterMs: 30_000, maxAttempts: 2 });
const LEASE = { leaseMs: policy.leaseMs };

describe('recovery sweeps on a real store', () => {
  let dir: string;
  let path: string;
  let clock: FakeClock;
  let store: SqliteTeamStore;
  let lead: Actor;
  let files = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-sweep-'));
    files += 1;
    path = join(dir, `sweep-${files}.db`);
    clock = new FakeClock();
    store = await openSqliteTeamStore({ path, clock, ids: new SequentialIdGenerator() });
    const bound = await store.createTeam({ name: 'alpha', objective: '', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r-lead' });
    lead = { teamId: bound.team.id, agentId: bound.agent.id };
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function member(name: string): Promise<{ actor: Actor; epoch: number }> {
    await store.spawnAgent(lead, { name, role: 'implementer', joinTicketHash: `j-${name}` });
    const bound = await store.joinAgent({ joinTicketHash: `j-${name}`, resumeTicketHash: `r-${name}` });
    return { actor: { teamId: lead.teamId, agentId: bound.agent.id }, epoch: bound.epoch };
  }

  async function task(title: string): Promise<string> {
    const out = await store.createTasks(lead, { tasks: [{ title, description: '', priority: 0, depends_on: [] }] });
    return out.tasks[0]?.id ?? '';
  }

  async function audit(): Promise<AuditEvent[]> {
    return store.listAuditEvents(lead.teamId, { limit: 10_000 });
  }

  it('takes back expired and orphaned claims, frees a silent teammate, tells the lead once; sweeping again changes nothing', async () => {
    const ann = await member('ann');
    const bob = await member('bob');
    const a = await task('a');
    const b = await task('b');
    const c = await task('c');
    await store.claimTask(ann.actor, { task_id: a }, LEASE);
    await store.claimTask(bob.actor, { task_id: b }, LEASE);
    await store.claimTask(bob.actor, { task_id: c }, LEASE);
    await store.disconnectAgent({ ...bob.actor, epoch: bob.epoch }, 'SIGTERM');
    clock.advance(policy.graceMs);
    const first = await runRecoverySweep(store, policy);
    expect(first.applied.map(({ step, outcome }) => `${recoveryActionOf(step).subject_id} ${outcome} ${step.rule}`)).toEqual([
      `${b} ready agent.disconnected_grace`,
      `${c} ready agent.disconnected_grace`,
    ]);
    clock.advance(staleAfterOf(policy, null));
    const second = await runRecoverySweep(store, policy);
    expect(second.applied.map(({ step, outcome }) => `${recoveryActionOf(step).subject_id} ${outcome}`)).toEqual([
      `${ann.actor.agentId} disconnected`,
      `${a} ready`,
    ]);
    expect(second.notices).toHaveLength(1);
    const status = await store.getStatus(lead);
    expect(status.tasks_by_status).toMatchObject({ ready: 3, in_progress: 0 });
    expect(status.active_threads).toBe(0);
    // Two recovery notices, and the rebalancing notices of the same sweeps: a spawn for the claims
    // taken back (first sweep), then for all three once ann is lost too (second).
    expect(first.rebalanced.notices.map((m) => m.body)).toEqual([expect.stringContaining('- spawn 1 implementer (rebalance.spawn.waiting_work)')]);
    expect(second.rebalanced.notices.map((m) => m.body)).toEqual([expect.stringContaining('- spawn 2 implementer (rebalance.spawn.waiting_work)')]);
    expect(status.unread_messages).toBe(4);

    const before = digestDatabase(path);
    const third = await runRecoverySweep(store, policy);
    expect(third.applied).toEqual([]);
    expect(digestDatabase(path)).toEqual(before);
  });

  it('fails a task whose claims keep getting lost once it used its attempts', async () => {
    const ann = await member('ann');
    const a = await task('a');
    await store.claimTask(ann.actor, { task_id: a }, LEASE);
    clock.advance(policy.leaseMs);
    await runRecoverySweep(store, policy);
    await store.claimTask(ann.actor, { task_id: a }, LEASE);
    clock.advance(policy.leaseMs);
    const report = await runRecoverySweep(store, policy);
    expect(report.applied.map(({ outcome }) => outcome)).toEqual(['failed']);
    const events = (await audit()).filter((e) => e.action === 'task.recover');
    expect(events.map((e) => (e.data['task'] as { status: string }).status)).toEqual(['ready', 'failed']);
  });

  it('applies each step once when two sweeps decide from the same view, and never touches the claim made in between', async () => {
    const ann = await member('ann');
    const a = await task('a');
    await store.claimTask(ann.actor, { task_id: a }, LEASE);
    clock.advance(policy.leaseMs);
    const one = decideRecovery(await store.recoveryView({}), policy);
    const two = decideRecovery(await store.recoveryView({}), policy);
    expect(two).toEqual(one);
    expect((await store.applyRecovery({ steps: one })).applied).toHaveLength(1);
    const fresh = await store.claimTask(ann.actor, { task_id: a }, LEASE);
    const late = await store.applyRecovery({ steps: two });
    expect(late).toEqual({ applied: [], skipped: two, notices: [] });
    const held = (await store.listTasks(lead, {})).tasks[0];
    expect(held).toMatchObject({ status: 'in_progress', fence: fresh.fence, owner_agent_id: ann.actor.agentId });
    expect((await audit()).filter((e) => e.action === 'task.recover')).toHaveLength(1);
  });

  it('catches a sweep that applies blindly instead of comparing with what it decided on (broken variant)', async () => {
    const ann = await member('ann');
    const a = await task('a');
    await store.claimTask(ann.actor, { task_id: a }, LEASE);
    clock.advance(policy.leaseMs);
    const late = decideRecovery(await store.recoveryView({}), policy);
    await store.applyRecovery({ steps: decideRecovery(await store.recoveryView({}), policy) });
    const fresh = await store.claimTask(ann.actor, { task_id: a }, LEASE);
    // What a sweep without compare-and-set does: it acts on whatever claim the task has now.
    const view = await store.recoveryView({});
    const blind: RecoveryStep[] = late.map((step) => {
      const now = view.teams[0]?.claims.find((claim) => step.kind === 'reclaim_task' && claim.taskId === step.taskId);
      return step.kind === 'reclaim_task' && now !== undefined
        ? { ...step, expect: { ownerAgentId: now.ownerAgentId, fence: now.fence, leaseExpiresAt: now.leaseExpiresAt } }
        : step;
    });
    await store.applyRecovery({ steps: blind });
    const held = (await store.listTasks(lead, {})).tasks[0];
    // The check of the test above, which the broken sweep fails: a live claim was taken back.
    expect(held).not.toMatchObject({ status: 'in_progress', fence: fresh.fence });
    expect((await audit()).filter((e) => e.action === 'task.recover')).toHaveLength(2);
  });

  it('runs one sweep of a process at a time: a tick during a sweep is dropped, explicit sweeps queue', async () => {
    const sweeper = new RecoverySweeper(store, policy);
    const running = sweeper.sweep();
    expect(await sweeper.tick()).toBeNull();
    const queued = sweeper.sweep({ teamId: lead.teamId });
    await expect(running).resolves.toMatchObject({ applied: [] });
    await expect(queued).resolves.toMatchObject({ considered: { teams: 1 } });
    await sweeper.settled();
    expect(await sweeper.tick()).toMatchObject({ applied: [] });
  });
  it("decides a team's rebalancing on a timer sweep at most once a second per process, and while nothing changed only every few seconds; explicit sweeps always decide", async () => {
    const sweeper = new RecoverySweeper(store, policy);
    const decided = async (sweep: Promise<{ rebalanced: { teams: number } } | null>): Promise<number> => (await sweep)?.rebalanced.teams ?? -1;
    expect(await decided(sweeper.tick())).toBe(1);
    clock.advance(TIMER_REBALANCE_EVERY_MS - 1);
    expect(await decided(sweeper.tick())).toBe(0);
    // An explicit sweep (team_recover, team_resume) is asked for now: it decides whatever the timer did.
    expect(await decided(sweeper.sweep())).toBe(1);
    clock.advance(TIMER_REBALANCE_EVERY_MS);
    // A second later the team is as it was (the same audit head): only time could change the decision.
    expect(await decided(sweeper.tick())).toBe(0);
    await store.createTasks(lead, { tasks: [{ key: 'more', title: 'more', description: '', priority: 0, depends_on: [] }] });
    expect(await decided(sweeper.tick())).toBe(1);
    clock.advance(QUIET_REBALANCE_EVERY_MS - 1);
    expect(await decided(sweeper.tick())).toBe(0);
    clock.advance(1);
    expect(await decided(sweeper.tick())).toBe(1);
  });
});
