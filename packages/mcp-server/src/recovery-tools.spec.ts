import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { recoveryPolicy } from '@codex-team/recovery';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';

const LEASE_MS = 30_000;
const STALE_MS = 80_000;
const GRACE_MS = 5_000;
const RECOVERY = { staleAfterMs: STALE_MS, graceMs: GRACE_MS, maxAttempts: 2 };

describe('heartbeat and recovery tools', () => {
  let team: InProcessTeam;
  let lead: InProcessSession;
  let leadTicket: string;
  let ann: InProcessSession;
  let annId: string;

  beforeEach(async () => {
    team = await InProcessTeam.open({ leaseMs: LEASE_MS, recovery: RECOVERY });
    const started = await team.startTeam({ name: 'alpha', max_threads: 1 });
    lead = started.lead;
    leadTicket = started.started.resume_ticket;
    const joined = await team.joinTeammate(lead, 'ann', 'implementer');
    ann = joined.mate;
    annId = joined.joined.agent.id;
  });
  afterEach(async () => {
    await team.close();
  });

  async function claimOne(title = 'build'): Promise<{ taskId: string; fence: number }> {
    await lead.caller.ok('team_task_create', { tasks: [{ title }] });
    const next = await ann.caller.ok('team_task_next');
    if (next.claim === null) throw new Error('nothing claimed');
    return { taskId: next.claim.task.id, fence: next.claim.fence };
  }

  /** Heartbeat events of ann so far (read from the store: a lead's call would be a heartbeat too). */
  async function annBeats(): Promise<number> {
    const teamId = (await team.store.verifyBinding(ann.session.requireBinding())).team.id;
    const events = await team.store.listAuditEvents(teamId, { limit: 10_000 });
    return events.filter((event) => event.action === 'agent.heartbeat' && event.subject_id === annId).length;
  }

  it('team_heartbeat renews the leases of the claims it names', async () => {
    const { taskId, fence } = await claimOne();
    team.clock.advance(LEASE_MS - 1);
    const beat = await ann.caller.ok('team_heartbeat', { tasks: [{ task_id: taskId, fence }] });
    expect(beat.leases).toEqual([{ task_id: taskId, fence, lease_expires_at: new Date(team.clock.now() + LEASE_MS).toISOString() }]);
    team.clock.advance(LEASE_MS - 1);
    await ann.caller.ok('team_task_complete', { task_id: taskId, fence, result: 'built and checked' });
  });

  it('refuses to renew an expired lease (STALE_CLAIM) and changes nothing', async () => {
    const { taskId, fence } = await claimOne();
    team.clock.advance(LEASE_MS);
    const before = digestDatabase(team.dbPath);
    expect(await ann.caller.code('team_heartbeat', { tasks: [{ task_id: taskId, fence }] })).toBe('STALE_CLAIM');
    expect(await ann.caller.code('team_task_update', { task_id: taskId, fence, progress: 'still here' })).toBe('STALE_CLAIM');
    expect(await ann.caller.code('team_send', { to: '*', body: 'about it', task_id: taskId, fence })).toBe('STALE_CLAIM');
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('renews the heartbeat of a calling agent at most once per interval, after successful calls only', async () => {
    const every = recoveryPolicy({ leaseMs: LEASE_MS, ...RECOVERY }).heartbeatEveryMs;
    team.clock.advance(every - 1);
    await ann.caller.ok('team_status');
    expect(await annBeats()).toBe(0);
    team.clock.advance(1);
    expect(await ann.caller.code('team_task_next', { task_id: 'tk_zzzzzzzz' })).toBe('NOT_FOUND');
    expect(await annBeats()).toBe(0);
    await ann.caller.ok('team_status');
    await ann.caller.ok('team_status');
    expect(await annBeats()).toBe(1);
    const seen = (await team.store.verifyBinding(ann.session.requireBinding())).agent.last_seen_at;
    expect(seen).toBe(new Date(team.clock.now()).toISOString());
  });

  it('team_recover is for the lead: it takes back expired claims and notifies the lead\'s inbox', async () => {
    const { taskId } = await claimOne();
    expect(await ann.caller.code('team_recover')).toBe('DENIED');
    team.clock.advance(LEASE_MS);
    const report = await lead.caller.ok('team_recover');
    expect(report).toEqual({
      actions: [{ action: 'task.recover', subject_id: taskId, outcome: 'ready', reason: expect.stringMatching(/lease expired/) }],
      notified_lead: true,
    });
    const inbox = await lead.caller.ok('team_inbox');
    // No sender: codex-team itself wrote it.
    expect(inbox.messages).toEqual([{ id: expect.stringMatching(/^ms_/), body: expect.stringContaining(taskId), created_at: expect.any(String) }]);
    expect(await lead.caller.ok('team_recover')).toEqual({ actions: [], notified_lead: false });
  });

  it('team_resume sweeps first and answers the brief: the team, what recovery did, what to read', async () => {
    const { taskId, fence } = await claimOne();
    await lead.close();
    team.clock.advance(LEASE_MS);
    const back = await team.connect();
    const resumed = await back.caller.ok('team_resume', { ticket: leadTicket });
    const { brief } = resumed;
    expect(brief.tasks_by_status).toEqual({ ready: 1 });
    expect(brief.claims).toEqual([]);
    // The recovery notice to the lead is unread, quoted, and still unread after the brief.
    expect(brief.unread).toEqual({ count: 1, oldest: [{ id: expect.stringMatching(/^ms_/), excerpt: expect.stringContaining(taskId) }] });
    expect(brief.state).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^since your last session: task.recover ${taskId}: .*lease expired`))]));
    expect(brief.read_next).toEqual(['team_inbox: your 1 unread messages, oldest first (ack what you handle)', 'team_status: agents and whom to spawn']);
    expect((await back.caller.ok('team_inbox')).messages).toHaveLength(1);
    expect(await ann.caller.code('team_task_complete', { task_id: taskId, fence, result: 'too late' })).toBe('STALE_CLAIM');
  });

  it('takes a lost teammate back when it calls again, only while a thread slot is free', async () => {
    team.clock.advance(STALE_MS);
    await lead.caller.ok('team_recover');
    expect((await lead.caller.ok('team_status')).agents.find((a) => a.id === annId)?.state).toBe('disconnected');
    const { mate: bob } = await team.joinTeammate(lead, 'bob', 'tester');
    expect(await ann.caller.fails('team_status')).toMatchObject({ code: 'NOT_BOUND', message: expect.stringMatching(/slots are taken/) });
    team.clock.advance(STALE_MS);
    await lead.caller.ok('team_recover');
    const status = await ann.caller.ok('team_status');
    expect(status.me.state).toBe('active');
    expect(status.active_threads).toBe(1);
    expect(await bob.caller.code('team_task_list')).toBe('NOT_BOUND');
  });
});

describe("recovery counts a task's attempts by its team's profile", () => {
  const shipped = ProfileCatalog.load({ builtinDir: findBuiltinProfilesDir(__dirname) });
  const attemptsOf = (profile: string) => shipped.find(profile).profile.lease.max_attempts;

  it.each(['fast', 'deep'].map((profile) => [profile, attemptsOf(profile)] as const))(
    "a %s team fails a task after its profile's %i lost claims, the next-to-last one still returns to the pool",
    async (profile, maxAttempts) => {
      // Only a count other than the default's (and the policy's own fallback) shows the profile's counts.
      expect(maxAttempts).not.toBe(attemptsOf('default'));
      expect(maxAttempts).not.toBe(recoveryPolicy({}).maxAttempts);
      const team = await InProcessTeam.open({ leaseMs: LEASE_MS });
      try {
        const { lead } = await team.startTeam({ name: 'alpha', objective: 'ship it', profile });
        const { mate: ann } = await team.joinTeammate(lead, 'ann', 'implementer');
        await lead.caller.ok('team_task_create', { tasks: [{ title: 'flaky' }] });
        const outcomes: string[] = [];
        for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
          const next = await ann.caller.ok('team_task_next');
          if (next.claim === null) throw new Error(`attempt ${attempt}: nothing to claim`);
          team.clock.advance(LEASE_MS);
          const report = await lead.caller.ok('team_recover');
          outcomes.push(...report.actions.map((action) => action.outcome));
        }
        expect(outcomes).toEqual([...Array<string>(maxAttempts - 1).fill('ready'), 'failed']);
      } finally {
        await team.close();
      }
    },
  );
});
