import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';

describe('permission grants at spawn', () => {
  let team: InProcessTeam;
  let lead: InProcessSession;
  let teamId: string;
  beforeEach(async () => {
    team = await InProcessTeam.open();
    const started = await team.startTeam();
    lead = started.lead;
    teamId = started.started.team.id;
  });
  afterEach(async () => {
    await team.close();
  });

  async function joinWith(name: string, role: string, profile: string): Promise<InProcessSession> {
    const spawned = await lead.caller.ok('team_spawn', { name, role, permission_profile: profile });
    expect(spawned.agent.permission_profile).toBe(profile);
    const mate = await team.connect();
    const joined = await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
    expect(joined.agent.permission_profile).toBe(profile);
    return mate;
  }

  it('gives one teammate a narrower profile than its role, which then decides its calls', async () => {
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'free work' }, { title: 'tests', required_role: 'tester' }] });
    const quiet = await joinWith('tom', 'tester', 'observer');
    const refused = await quiet.caller.fails('team_task_next');
    expect(refused).toMatchObject({ code: 'DENIED', details: { profile: 'observer', role: 'tester', rule: 'default-deny' } });
    expect(await quiet.caller.code('team_artifact_publish', { name: 'x', content: 'y' })).toBe('DENIED');
    const status = await quiet.caller.ok('team_status');
    expect(status.me).toMatchObject({ role: 'tester', permission_profile: 'observer' });
    // Another tester without a grant keeps the tester profile.
    const { mate } = await team.joinTeammate(lead, 'tia', 'tester');
    expect((await mate.caller.ok('team_task_next')).claim?.task.title).toBe('free work');
  });

  it('gives one teammate a wider profile than its role, within the lead\'s own', async () => {
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'free work' }] });
    const { mate: plain } = await team.joinTeammate(lead, 'rex', 'reviewer');
    expect((await plain.caller.ok('team_task_next')).claim).toBeNull();
    const widened = await joinWith('rae', 'reviewer', 'implementer');
    expect((await widened.caller.ok('team_task_next')).claim?.task.title).toBe('free work');
    const events = await team.store.listAuditEvents(teamId as Parameters<typeof team.store.listAuditEvents>[0]);
    expect(events.find((event) => event.action === 'agent.spawn' && event.reason.includes('rae'))?.reason).toContain('permission profile implementer');
  });

  it('refuses a grant of lead-only tools and of an unknown profile, changing nothing', async () => {
    const before = digestDatabase(team.dbPath);
    expect(await lead.caller.fails('team_spawn', { name: 'boss', role: 'implementer', permission_profile: 'lead' })).toMatchObject({
      code: 'DENIED',
      details: { rule: 'grant:lead-reserved', exceeding: expect.arrayContaining(['team_spawn:spawn', 'team_finalize:force']) as string[] },
    });
    expect(await lead.caller.fails('team_spawn', { name: 'who', role: 'implementer', permission_profile: 'superuser' })).toMatchObject({
      code: 'INVALID_INPUT',
      details: { rule: 'grant:unknown-profile' },
    });
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('keeps teammates from granting anything, since they cannot spawn', async () => {
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    expect(await mate.caller.fails('team_spawn', { name: 'x', role: 'tester', permission_profile: 'observer' })).toMatchObject({
      code: 'DENIED',
      details: { action: 'grant', rule: 'default-deny' },
    });
  });
});
