import type { RunSummary } from '@codex-team/contracts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';

jest.setTimeout(120_000);

let dir: string;
let profilesDir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-policy-'));
  profilesDir = join(dir, 'profiles');
  const defaultYaml = readFileSync(join(findBuiltinProfilesDir(__dirname), 'default.yaml'), 'utf8');
  mkdirSync(profilesDir);
  // A user profile with a tiny budget: 1,000 tokens soft, 2,000 hard.
  writeFileSync(
    join(profilesDir, 'tiny.yaml'),
    defaultYaml
      .replace('name: default', 'name: tiny')
      .replace('soft_tokens: 8000000', 'soft_tokens: 1000')
      .replace('hard_tokens: 16000000', 'hard_tokens: 2000'),
  );
});
afterEach(async () => {
  await closeAllStdioAgents();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The lease a claim got, bracketed by this process's clock around the call: the server set
 * expires = its now + lease, with its now between `before` and `after`.
 */
async function leaseOf(agent: StdioAgent): Promise<{ atLeast: number; atMost: number; taskId: string; fence: number }> {
  const before = Date.now();
  const next = await agent.caller.ok('team_task_next');
  const after = Date.now();
  if (next.claim === null) throw new Error(`no claim: ${String(next.reason)}`);
  const expires = Date.parse(next.claim.lease_expires_at);
  return { atLeast: expires - after, atMost: expires - before, taskId: next.claim.task.id, fence: next.claim.fence };
}

function expectLease(lease: { atLeast: number; atMost: number }, ms: number): void {
  expect(lease.atLeast).toBeLessThanOrEqual(ms);
  expect(lease.atMost).toBeGreaterThanOrEqual(ms);
}

describe('policy over stdio (built binary)', () => {
  it("applies a profile switch by the lead's process to the next claim in a teammate's process", async () => {
    const dbPath = join(dir, 'switch.db');
    const lead = await spawnStdioAgent(dbPath, ['--profiles-dir', profilesDir]);
    const mate = await spawnStdioAgent(dbPath, ['--profiles-dir', profilesDir]);
    await lead.caller.ok('team_start', { name: 'switcher' });
    const spawned = await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'one' }, { title: 'two' }] });
    expectLease(await leaseOf(mate), 60_000);

    expect(await mate.caller.code('team_policy', { profile: 'fast' })).toBe('DENIED');
    const switched = await lead.caller.ok('team_policy', { profile: 'fast' });
    expect(switched.changes).toContain('lease.length_ms 60000 -> 30000');
    const second = await leaseOf(mate);
    expectLease(second, 30_000);
    expect(second.atMost).toBeLessThan(60_000);
    expect((await mate.caller.ok('team_policy')).profile.name).toBe('fast');
    const available = (await mate.caller.ok('team_policy')).available?.map((p) => `${p.name}:${p.origin}`);
    expect(available).toEqual(['deep:builtin', 'default:builtin', 'fast:builtin', 'tiny:user']);
    const trail = (await lead.caller.ok('team_run_summary', { log: 'audit' })).log!;
    expect(trail.events.filter((e) => e.action === 'policy.switch').map((e) => e.data['previous_profile'])).toEqual(['default']);
  });

  it('refuses spawns and claims once usage reaches the hard budget, and audits and summarises it', async () => {
    const dbPath = join(dir, 'budget.db');
    const lead = await spawnStdioAgent(dbPath, ['--profiles-dir', profilesDir]);
    const mate = await spawnStdioAgent(dbPath, ['--profiles-dir', profilesDir]);
    const started = await lead.caller.ok('team_start', { name: 'thrifty', profile: 'tiny' });
    const spawned = await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'one' }, { title: 'two' }] });
    const claim = await leaseOf(mate);
    await mate.caller.ok('team_task_complete', {
      task_id: claim.taskId,
      fence: claim.fence,
      result: 'done',
      usage: { input_tokens: 1_500, output_tokens: 700 },
    });
    const next = await mate.caller.fails('team_task_next');
    expect(next).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { rule: 'budget.hard_tokens', used_tokens: 2_200, hard_tokens: 2_000 } });
    expect(next.message).toContain('no new claim');
    expect((await lead.caller.fails('team_spawn', { name: 'bob', role: 'tester' })).code).toBe('LIMIT_EXCEEDED');

    const summary = (await lead.caller.ok('team_run_summary')) as RunSummary;
    expect(summary.usage).toMatchObject({ samples: 1, budget: { state: 'hard_exceeded', used_tokens: 2_200 } });
    expect(summary.agents.find((a) => a.name === 'ann')).toMatchObject({ tasks_done: 1, tokens: 2_200 });
    expect(summary.decisions.map((d) => [d.action, d.decision])).toEqual([
      ['usage.report', 'allow'],
      ['policy.deny', 'deny'],
      ['policy.deny', 'deny'],
    ]);
    expect(summary.team.id).toBe(started.team.id);
    expect(await mate.caller.code('team_run_summary', { log: 'audit' })).toBe('DENIED');
    const replay = (await lead.caller.ok('team_run_summary', { log: 'audit', limit: 1_000 })).log!;
    expect(replay.events.filter((e) => e.action === 'policy.deny').map((e) => e.data['tool'])).toEqual(['team_task_next', 'team_spawn']);
    const hints = (await lead.caller.ok('team_status')).hints;
    expect(hints).toMatchObject({ spawn: [], budget: 'hard_exceeded' });
    expect(lead.logs.some((l) => l['msg'] === 'policy decision' && l['outcome'] === 'deny')).toBe(true);
  });
});
