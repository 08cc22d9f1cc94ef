import type { Profile } from '@codex-team/contracts';
import { ProfileCatalog } from '@codex-team/policy-engine';
import type { RecoveryAgentView, RecoveryClaimView, RecoveryTeamView, RecoveryView } from '@codex-team/store';
import { decideRecovery } from './decide-recovery';
import { recoveryPolicy } from './recovery-policy';

const shipped = ProfileCatalog.shipped();
const DEFAULT = shipped.find('default').profile;
const FAST = shipped.find('fast').profile;
const DEEP = shipped.find('deep').profile;
/** The default profile with other lease and idle numbers. */
function variant(name: string, lease: Partial<Profile['lease']>, idle: Partial<Profile['idle']> = {}, guardrails: Partial<Profile['guardrails']> = {}): Profile {
  return { ...DEFAULT, name, lease: { ...DEFAULT.lease, ...lease }, idle: { ...DEFAULT.idle, ...idle }, guardrails: { ...DEFAULT.guardrails, ...guardrails } };
}

const policy = recoveryPolicy({ leaseMs: 60_000, graceMs: 15_000, staleAfterMs: 120_000, maxAttempts: 3 });
const NOW = 1_000_000;

function agent(id: string, state: RecoveryAgentView['state'], lastSeenAt: number | null, extra: Partial<RecoveryAgentView> = {}): RecoveryAgentView {
  return { id, name: id.slice(3), role: 'implementer', state, epoch: state === 'invited' ? 0 : 1, lastSeenAt, createdAt: 0, principalAgentId: null, ...extra };
}

function claim(taskId: string, ownerAgentId: string, leaseExpiresAt: number | null, attempts = 1): RecoveryClaimView {
  return { taskId, title: taskId, ownerAgentId, fence: attempts, leaseExpiresAt, attempts };
}

function view(teams: Partial<RecoveryTeamView>[]): RecoveryView {
  return {
    now: NOW,
    teams: teams.map((team, i) => ({
      teamId: `tm_team${i}aaa`,
      name: `t${i}`,
      profile: team.settings?.name ?? 'default',
      settings: DEFAULT,
      leadAgentId: 'ag_lead',
      parent: null,
      leadLostAt: null,
      lastActivityAt: NOW,
      mode: { current: 'default' as const, expiresAt: null, returnsTo: null },
      checkpoint: { uptoSeq: 0, eventsSince: 0 },
      agents: [agent('ag_lead', 'active', NOW)],
      claims: [],
      ...team,
    })),
  };
}

const summary = (steps: ReturnType<typeof decideRecovery>) =>
  steps.map((step) => {
    switch (step.kind) {
      case 'reclaim_task':
        return `${step.taskId}->${step.to} ${step.rule}`;
      case 'mark_agent_lost':
        return `${step.agentId}->${step.to} ${step.rule}`;
      case 'retire_agent':
        return `${step.agentId}->retired ${step.rule}`;
      default:
        return `${step.kind} ${step.rule}`;
    }
  });

describe('decideRecovery', () => {
  it('takes back a claim once its lease has passed, not a millisecond before', () => {
    const agents = [agent('ag_lead', 'active', NOW), agent('ag_ann', 'active', NOW)];
    expect(summary(decideRecovery(view([{ agents, claims: [claim('tk_due', 'ag_ann', NOW), claim('tk_live', 'ag_ann', NOW + 1)] }]), policy))).toEqual([
      'tk_due->ready lease.expired',
    ]);
  });

  it('fails a lost claim that used its attempts, with the rule saying so', () => {
    const agents = [agent('ag_lead', 'active', NOW), agent('ag_ann', 'active', NOW)];
    const steps = decideRecovery(view([{ agents, claims: [claim('tk_a', 'ag_ann', NOW - 1, 3), claim('tk_b', 'ag_ann', NOW - 1, 2)] }]), policy);
    expect(summary(steps)).toEqual(['tk_a->failed lease.expired+lease.max_attempts', 'tk_b->ready lease.expired']);
    expect(steps[0]?.reason).toMatch(/claimed 3 of 3 times/);
  });

  it("counts attempts by each team's profile unless max attempts was given for every team", () => {
    const agents = [agent('ag_lead', 'active', NOW), agent('ag_ann', 'active', NOW)];
    const claims = [claim('tk_a', 'ag_ann', NOW - 1, 2)];
    const teams = view([
      { settings: variant('two', { max_attempts: 2 }), agents, claims },
      { settings: variant('five', { max_attempts: 5 }), agents, claims },
      { profile: 'mine', settings: null, agents, claims },
    ]);
    const fromProfiles = recoveryPolicy({ leaseMs: 60_000 });
    // fast gives up after 2 claims, deep allows 5, a profile this process cannot load falls back to 3.
    expect(decideRecovery(teams, fromProfiles).map((step) => step.kind === 'reclaim_task' && step.to)).toEqual(['failed', 'ready', 'ready']);
    expect(decideRecovery(teams, fromProfiles)[0]?.reason).toMatch(/claimed 2 of 2 times/);
    // An explicit --max-attempts holds for every team, whatever its profile says.
    const explicit = recoveryPolicy({ leaseMs: 60_000, maxAttempts: 2 });
    expect(decideRecovery(teams, explicit).map((step) => step.kind === 'reclaim_task' && step.to)).toEqual(['failed', 'failed', 'failed']);
  });

  it("takes a silent teammate for lost after its team profile's idle timeout unless a stale time was given", () => {
    const silentFor = (ms: number) => [agent('ag_lead', 'active', NOW), agent('ag_ann', 'active', NOW - ms)];
    const brief = variant('brief', { length_ms: 30_000 }, { agent_timeout_ms: 120_000 });
    const tenMinutes = view([{ settings: brief, agents: silentFor(600_000) }, { settings: DEEP, agents: silentFor(600_000) }]);
    // A deep team's long reasoning turn is not a crash: only the brief team's teammate is lost.
    expect(summary(decideRecovery(tenMinutes, recoveryPolicy({})))).toEqual(['ag_ann->disconnected agent.stale']);
    expect(decideRecovery(tenMinutes, recoveryPolicy({}))[0]).toMatchObject({ teamId: 'tm_team0aaa' });
    const halfAnHour = view([{ settings: DEEP, agents: silentFor(1_800_000) }]);
    expect(summary(decideRecovery(halfAnHour, recoveryPolicy({})))).toEqual(['ag_ann->disconnected agent.stale']);
    // --stale-ms holds for every team.
    expect(decideRecovery(tenMinutes, recoveryPolicy({ staleAfterMs: 900_000 }))).toEqual([]);
  });

  it('retires instead, with the idle rule, under a profile that retires idle agents; invitations too', () => {
    const agents = [
      agent('ag_lead', 'active', NOW - 999_999),
      agent('ag_ann', 'active', NOW - 132_000),
      agent('ag_ghost', 'invited', null, { createdAt: NOW - 131_000 }),
      agent('ag_gone', 'disconnected', NOW - 200_000),
      agent('ag_busy', 'active', NOW - 119_999),
    ];
    const steps = decideRecovery(view([{ settings: FAST, agents, claims: [claim('tk_a', 'ag_ann', NOW + 10_000)] }]), recoveryPolicy({}));
    expect(summary(steps)).toEqual([
      'ag_ann->retired idle.retire_idle_agents',
      'ag_ghost->retired idle.retire_idle_agents',
      'ag_gone->retired idle.retire_idle_agents',
      'tk_a->ready agent.gone',
    ]);
    expect(steps.map((step) => step.reason).slice(0, 2)).toEqual([
      'not seen for 132000 ms (timeout 120000 ms): retire it and hand its tasks on',
      'never seen since spawn for 131000 ms (timeout 120000 ms): retire it and hand its tasks on',
    ]);
    // With the idle sweep off, a silent teammate is only lost: its slot is free, it may come back.
    const off = variant('off', {}, { agent_timeout_ms: 120_000, retire_idle_agents: true }, { idle_sweep: false });
    expect(summary(decideRecovery(view([{ settings: off, agents: agents.slice(0, 2) }]), recoveryPolicy({})))).toEqual([
      'ag_ann->disconnected agent.stale',
    ]);
  });

  it("finalizes a team idle past its profile's team timeout (its claims are cancelled, not taken back), unless the idle sweep is off", () => {
    const agents = [agent('ag_lead', 'active', NOW), agent('ag_ann', 'active', NOW)];
    const quiet = (settings: Profile, ms: number) => view([{ settings, lastActivityAt: NOW - ms, agents, claims: [claim('tk_a', 'ag_ann', NOW - 1)] }]);
    expect(summary(decideRecovery(quiet(DEFAULT, 3_600_000), recoveryPolicy({})))).toEqual(['finalize_team idle.team_timeout_ms']);
    expect(summary(decideRecovery(quiet(DEFAULT, 3_599_999), recoveryPolicy({})))).toEqual(['tk_a->ready lease.expired']);
    const off = variant('off', {}, {}, { idle_sweep: false });
    expect(summary(decideRecovery(quiet(off, 9_999_999), recoveryPolicy({})))).toEqual(['tk_a->ready lease.expired']);
    expect(decideRecovery(quiet(DEFAULT, 3_600_000), recoveryPolicy({}))[0]).toMatchObject({ expect: { lastActivityAt: NOW - 3_600_000 } });
  });

  it('records a temporary mode that lapsed, first, by the one lapse rule', () => {
    const lapsed = view([{ mode: { current: 'plan', expiresAt: NOW, returnsTo: 'delegate' } }]);
    const steps = decideRecovery(lapsed, policy);
    expect(summary(steps)).toEqual(['expire_mode mode.ttl']);
    expect(steps[0]).toMatchObject({ expect: { expiresAt: NOW }, reason: 'the temporary plan mode lapsed; back to delegate' });
    expect(decideRecovery(view([{ mode: { current: 'plan', expiresAt: NOW + 1, returnsTo: null } }]), policy)).toEqual([]);
  });

  it('keeps a disconnected holder\'s claims for the grace period, then takes them back', () => {
    const during = view([{ agents: [agent('ag_lead', 'active', NOW), agent('ag_ann', 'disconnected', NOW - 14_999)], claims: [claim('tk_a', 'ag_ann', NOW + 50_000)] }]);
    expect(decideRecovery(during, policy)).toEqual([]);
    const after = view([{ agents: [agent('ag_lead', 'active', NOW), agent('ag_ann', 'disconnected', NOW - 15_000)], claims: [claim('tk_a', 'ag_ann', NOW + 50_000)] }]);
    expect(summary(decideRecovery(after, policy))).toEqual(['tk_a->ready agent.disconnected_grace']);
  });

  it('takes back at once the claims of a holder that is retired', () => {
    expect(summary(decideRecovery(view([{ claims: [claim('tk_a', 'ag_gone', NOW + 50_000)] }]), policy))).toEqual(['tk_a->ready agent.gone']);
  });

  it('marks a silent teammate lost (never the lead) and takes its claims back in the same sweep', () => {
    const agents = [agent('ag_lead', 'active', NOW - 500_000), agent('ag_ann', 'active', NOW - 120_000), agent('ag_bob', 'active', NOW - 119_999)];
    const steps = decideRecovery(view([{ agents, claims: [claim('tk_a', 'ag_ann', NOW + 10_000), claim('tk_b', 'ag_bob', NOW + 10_000)] }]), policy);
    expect(summary(steps)).toEqual(['ag_ann->disconnected agent.stale', 'tk_a->ready agent.disconnected_grace']);
    expect(steps[0]).toMatchObject({ expect: { state: 'active', epoch: 1, lastSeenAt: NOW - 120_000 } });
  });

  it('withdraws an invitation nobody took up within the stale time', () => {
    const agents = [agent('ag_lead', 'active', NOW), agent('ag_old', 'invited', null, { createdAt: NOW - 120_000 }), agent('ag_new', 'invited', null, { createdAt: NOW - 1 })];
    expect(summary(decideRecovery(view([{ agents }]), policy))).toEqual(['ag_old->retired invitation.stale']);
  });

  it('decides in a fixed order: teams as given, lost agents before claims, claims as given', () => {
    const stale = agent('ag_ann', 'active', 0);
    const teams = [
      { agents: [agent('ag_lead', 'active', NOW), stale], claims: [claim('tk_2', 'ag_ann', 0), claim('tk_1', 'ag_ann', 0)] },
      { claims: [claim('tk_3', 'ag_lead', 0)] },
    ];
    const first = decideRecovery(view(teams), policy);
    expect(summary(first)).toEqual([
      'ag_ann->disconnected agent.stale',
      'tk_2->ready lease.expired',
      'tk_1->ready lease.expired',
      'tk_3->ready lease.expired',
    ]);
    expect(decideRecovery(view(teams), policy)).toEqual(first);
  });

  it('decides nothing for a healthy team', () => {
    const agents = [agent('ag_lead', 'active', NOW), agent('ag_ann', 'active', NOW - 1_000), agent('ag_inv', 'invited', null, { createdAt: NOW - 1_000 })];
    expect(decideRecovery(view([{ agents, claims: [claim('tk_a', 'ag_ann', NOW + 30_000)] }]), policy)).toEqual([]);
  });

  it("checkpoints a team once the profile's checkpoint.every_events events happened since its latest checkpoint, after its other steps", () => {
    const every = DEFAULT.checkpoint?.every_events ?? 0;
    expect(every).toBeGreaterThan(0);
    const due = decideRecovery(view([{ checkpoint: { uptoSeq: 40, eventsSince: every }, claims: [claim('tk_a', 'ag_lead', 0)] }]), policy);
    expect(summary(due)).toEqual(['tk_a->ready lease.expired', 'checkpoint_team checkpoint.every_events']);
    expect(due[1]).toMatchObject({ kind: 'checkpoint_team', expect: { uptoSeq: 40 } });
    expect(decideRecovery(view([{ checkpoint: { uptoSeq: 40, eventsSince: every - 1 } }]), policy)).toEqual([]);
    // 0 turns automatic checkpoints off.
    const off = { ...DEFAULT, checkpoint: { every_events: 0 } };
    expect(decideRecovery(view([{ settings: off, checkpoint: { uptoSeq: 0, eventsSince: 5_000 } }]), policy)).toEqual([]);
  });

  describe('child teams', () => {
    const parent = { teamId: 'tm_parentaaa' as RecoveryTeamView['teamId'], leadAgentId: 'ag_boss' as RecoveryTeamView['leadAgentId'] };

    it("marks a silent child lead lost like a teammate and reports it to the parent's lead, leaving the team alone", () => {
      const steps = decideRecovery(view([{ parent, agents: [agent('ag_lead', 'active', NOW - 120_000)], claims: [claim('tk_a', 'ag_lead', NOW + 30_000)] }]), policy);
      expect(summary(steps)).toEqual(['ag_lead->disconnected agent.stale', 'report_lead_lost hierarchy.lead_lost', 'tk_a->ready agent.disconnected_grace']);
      expect(steps[1]).toMatchObject({ kind: 'report_lead_lost', agentId: 'ag_lead', expect: { leadLostAt: null } });
    });

    it('reports a child lead whose session ended only once the grace period passed, and only once', () => {
      const gone = (at: number) => [agent('ag_lead', 'disconnected', at)];
      expect(summary(decideRecovery(view([{ parent, agents: gone(NOW - 14_999) }]), policy))).toEqual([]);
      expect(summary(decideRecovery(view([{ parent, agents: gone(NOW - 15_000) }]), policy))).toEqual(['report_lead_lost hierarchy.lead_lost']);
      expect(summary(decideRecovery(view([{ parent, leadLostAt: NOW - 1, agents: gone(NOW - 15_000) }]), policy))).toEqual([]);
    });

    it('reports a retired child lead (absent from the view), never a root lead or a lead another agent plays', () => {
      expect(summary(decideRecovery(view([{ parent, agents: [] }]), policy))).toEqual(['report_lead_lost hierarchy.lead_lost']);
      expect(summary(decideRecovery(view([{ agents: [agent('ag_lead', 'disconnected', 0)] }]), policy))).toEqual([]);
      const played = [agent('ag_lead', 'active', 0, { principalAgentId: 'ag_boss' as RecoveryAgentView['id'] })];
      expect(summary(decideRecovery(view([{ parent, agents: played }]), policy))).toEqual([]);
    });

    it('finalizes an idle child team without reporting its lead', () => {
      const idle = decideRecovery(view([{ parent, lastActivityAt: NOW - DEFAULT.idle.team_timeout_ms, agents: [agent('ag_lead', 'disconnected', 0)] }]), policy);
      expect(summary(idle)).toEqual(['finalize_team idle.team_timeout_ms']);
    });
  });
});
