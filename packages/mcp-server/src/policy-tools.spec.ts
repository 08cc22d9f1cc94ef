import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam } from './testing/in-process-team';

const defaultYaml = readFileSync(join(findBuiltinProfilesDir(__dirname), 'default.yaml'), 'utf8');

describe('policy profiles in the server', () => {
  let team: InProcessTeam;
  let userDir: string;
  beforeEach(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'codex-team-user-profiles-'));
    writeFileSync(join(userDir, 'nightly.yaml'), defaultYaml.replace('name: default', 'name: nightly').replace('length_ms: 60000', 'length_ms: 45000'));
    team = await InProcessTeam.open({ userProfilesDir: userDir });
  });
  afterEach(async () => {
    await team.close();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('team_start takes a profile, whose threads.default and hard_cap bound max_threads', async () => {
    const { started } = await team.startTeam({ name: 'quick', profile: 'fast' });
    expect(started.team).toMatchObject({ profile: 'fast', max_threads: 3 });
    const other = await team.connect();
    const refused = await other.caller.fails('team_start', { name: 'wide', profile: 'fast', max_threads: 5 });
    expect(refused).toMatchObject({ code: 'INVALID_INPUT', message: 'max_threads 5 exceeds threads.hard_cap 4 of profile fast' });
    expect(await other.caller.code('team_start', { name: 'nope', profile: 'turbo' })).toBe('NOT_FOUND');
    expect(await other.caller.code('team_start', { name: 'path', profile: '../fast' })).toBe('INVALID_INPUT');
    const plain = await other.caller.ok('team_start', { name: 'plain' });
    expect(plain.team).toMatchObject({ profile: 'default', max_threads: 6 });
  });

  it('team_policy shows the current profile, the effective lease and every profile with its origin', async () => {
    const { lead } = await team.startTeam({ name: 'p', profile: 'nightly' });
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    const policy = await mate.caller.ok('team_policy');
    expect(policy).toMatchObject({ origin: 'user', lease_ms: 45_000, profile: { name: 'nightly', lease: { length_ms: 45_000 } } });
    expect(policy.previous_profile).toBeUndefined();
    expect(policy.available?.map((p) => [p.name, p.origin])).toEqual([
      ['deep', 'builtin'],
      ['default', 'builtin'],
      ['fast', 'builtin'],
      ['nightly', 'user'],
    ]);
  });

  it('team_policy with a profile switches it: the lead only, audited, deciding the lease of the very next claim', async () => {
    const { lead, started } = await team.startTeam({ name: 'mid-run' });
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'one' }, { title: 'two' }] });
    const first = await mate.caller.ok('team_task_next');
    expect(Date.parse(first.claim?.lease_expires_at ?? '')).toBe(team.clock.now() + 60_000);

    const before = digestDatabase(team.dbPath);
    expect(await mate.caller.code('team_policy', { profile: 'fast' })).toBe('DENIED');
    expect(await lead.caller.code('team_policy', { profile: 'turbo' })).toBe('NOT_FOUND');
    expect(digestDatabase(team.dbPath)).toEqual(before);

    const switched = await lead.caller.ok('team_policy', { profile: 'fast' });
    expect(switched).toMatchObject({ profile: { name: 'fast' }, lease_ms: 30_000, origin: 'builtin' });
    expect(switched.available).toBeUndefined();
    expect(switched.previous_profile).toBe('default');
    expect(switched.changes).toEqual(expect.arrayContaining(['lease.length_ms 60000 -> 30000', 'threads.hard_cap 6 -> 4']));
    const second = await mate.caller.ok('team_task_next');
    expect(Date.parse(second.claim?.lease_expires_at ?? '')).toBe(team.clock.now() + 30_000);
    const renewed = await mate.caller.ok('team_task_update', { task_id: first.claim?.task.id, fence: first.claim?.fence, progress: 'p' });
    expect(Date.parse(renewed.lease_expires_at ?? '')).toBe(team.clock.now() + 30_000);
    expect((await mate.caller.ok('team_policy')).profile.name).toBe('fast');

    const events = await team.store.listAuditEvents(started.team.id);
    const switchEvent = events.find((e) => e.action === 'policy.switch');
    expect(switchEvent).toMatchObject({ actor_agent_id: started.agent.id, decision: 'allow' });
    expect(switchEvent?.reason).toMatch(/^profile default -> fast: .*lease\.length_ms 60000 -> 30000/);
    expect(team.logs.some((l) => l['msg'] === 'policy decision' && l['rule'] === 'policy.switch')).toBe(true);
    const again = await lead.caller.ok('team_policy', { profile: 'fast' });
    expect(again.changes).toEqual([]);
    expect((await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'policy.switch')).toHaveLength(1);
  });

  it('keeps --lease-ms as an override of every profile', async () => {
    const overridden = await InProcessTeam.open({ leaseMs: 12_345 });
    try {
      const { lead } = await overridden.startTeam({ name: 'o', profile: 'deep' });
      await lead.caller.ok('team_task_create', { tasks: [{ title: 'x' }] });
      const claim = await lead.caller.ok('team_task_next');
      expect(Date.parse(claim.claim?.lease_expires_at ?? '')).toBe(overridden.clock.now() + 12_345);
      expect((await lead.caller.ok('team_policy')).lease_ms).toBe(12_345);
    } finally {
      await overridden.close();
    }
  });

  it("caps spawns at the profile's hard cap after a switch, even below max_threads", async () => {
    const { lead } = await team.startTeam({ name: 'cap', max_threads: 6 });
    for (const name of ['a', 'b', 'c', 'd']) await lead.caller.ok('team_spawn', { name, role: 'implementer' });
    await lead.caller.ok('team_policy', { profile: 'fast' });
    const refused = await lead.caller.fails('team_spawn', { name: 'e', role: 'implementer' });
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { max_threads: 6, thread_cap: 4, used: 4 } });
  });
});
