import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthzDecision, type TeamId, type ToolName, type ToolOutput } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { digestDatabase } from '@codex-team/store/testing';
import { shippedPermissionPolicy } from './shipped-permissions';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';
import { errorBodyOf } from './testing/tool-caller';

jest.setTimeout(120_000);

const policy = shippedPermissionPolicy();

/**
 * A sample of the permission matrix against the built binary: three agents in three processes on
 * one store, each refusal answered DENIED with its rule, logged on stderr and recorded in the store.
 */
describe('permissions over stdio (built binary)', () => {
  let dir: string;
  let dbPath: string;
  let lead: StdioAgent;
  let started: ToolOutput<'team_start'>;
  const agents: Record<string, StdioAgent> = {};
  const ids: Record<string, string> = {};
  let calls = 0;
  const deniedTools: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-permissions-'));
    dbPath = join(dir, 'team.db');
    lead = await spawnStdioAgent(dbPath);
    started = await lead.caller.ok('team_start', { name: 'stdio permissions' });
    calls += 1;
    for (const [name, role] of [['rex', 'reviewer'], ['ann', 'implementer']] as const) {
      const spawned = await lead.caller.ok('team_spawn', { name, role });
      const agent = await spawnStdioAgent(dbPath);
      const joined = await agent.caller.ok('team_join', { ticket: spawned.join_ticket });
      agents[role] = agent;
      ids[role] = joined.agent.id;
      calls += 2;
    }
  });

  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each role exactly as the table says, refusals changing nothing', async () => {
    const created = await lead.caller.ok('team_task_create', {
      tasks: [{ key: 'free', title: 'role-free work' }, { key: 'rev', title: 'review', required_role: 'reviewer' }],
    });
    calls += 1;
    const free = created.keys['free'] ?? '';
    const sample: [string, ToolName, string, Record<string, unknown>][] = [
      ['reviewer', 'team_spawn', 'spawn', { name: 'eve', role: 'tester' }],
      ['reviewer', 'team_finalize', 'force', { force: true }],
      ['reviewer', 'team_task_next', 'unassigned', { task_id: free }],
      ['reviewer', 'team_task_create', 'create', { tasks: [{ title: 'follow-up' }] }],
      ['reviewer', 'team_task_update', 'edit', { task_id: free, title: 'renamed' }],
      ['implementer', 'team_task_create', 'create', { tasks: [{ title: 'more' }] }],
      ['implementer', 'team_policy', 'set', { profile: 'fast' }],
      ['implementer', 'team_run_summary', 'audit', { log: 'audit' }],
      ['implementer', 'team_task_update', 'status=cancelled', { task_id: free, cancel: true }],
      ['implementer', 'team_send', 'broadcast', { to: '*', body: 'hello' }],
      ['implementer', 'team_task_next', 'unassigned', { task_id: free }],
    ];
    for (const [role, tool, action, args] of sample) {
      const expected = policy.decide(policy.profileForRole(role), tool, action);
      if (expected.decision === 'deny') deniedTools.push(tool);
      const agent = agents[role] as StdioAgent;
      const before = digestDatabase(dbPath);
      const result = await agent.caller.call(tool, args);
      calls += 1;
      if (expected.decision === 'allow') {
        expect({ role, tool, action, ok: result.isError !== true }).toEqual({ role, tool, action, ok: true });
        continue;
      }
      const body = errorBodyOf(tool, result);
      expect({ role, tool, action, code: body.code, rule: body.details?.['rule'] }).toEqual({ role, tool, action, code: 'DENIED', rule: expected.rule });
      expect(digestDatabase(dbPath)).toEqual(before);
    }
  });

  it('refuses a session before team_join, and logs every decision with who, what and which rule', async () => {
    const stranger = await spawnStdioAgent(dbPath);
    expect(await stranger.caller.code('team_task_next')).toBe('NOT_BOUND');
    const reviewer = agents['reviewer'] as StdioAgent;
    const denied = reviewer.logs.filter((line) => line['msg'] === 'tool call' && line['decision'] === 'deny');
    expect(denied.length).toBeGreaterThanOrEqual(3);
    for (const line of denied) {
      expect(line).toMatchObject({
        agent_id: ids['reviewer'],
        team_id: started.team.id,
        role: 'reviewer',
        profile: 'reviewer',
        step: 'permission',
        outcome: 'DENIED',
        rule: expect.any(String) as string,
        reason: expect.any(String) as string,
        action: expect.any(String) as string,
      });
    }
    expect(stranger.logs.find((line) => line['msg'] === 'tool call')).toMatchObject({ decision: 'deny', rule: 'identity:unbound', outcome: 'NOT_BOUND' });
  });

  it('recorded one decision per call of the team, from every process, in the store', async () => {
    const store = await openSqliteTeamStore({ path: dbPath, clock: new FakeClock(), ids: new SequentialIdGenerator() });
    try {
      const decisions: AuthzDecision[] = await store.listAuthzDecisions({ teamId: started.team.id as TeamId });
      expect(decisions).toHaveLength(calls);
      expect(new Set(decisions.map((d) => d.agent_id))).toEqual(new Set([started.agent.id, ids['reviewer'], ids['implementer']]));
      expect(deniedTools.length).toBeGreaterThanOrEqual(6);
      expect(decisions.filter((d) => d.decision === 'deny').map((d) => d.tool)).toEqual(deniedTools);
      const unbound = await store.listAuthzDecisions({ teamId: null });
      expect(unbound).toEqual([expect.objectContaining({ tool: 'team_task_next', decision: 'deny', outcome: 'NOT_BOUND' })]);
    } finally {
      await store.close();
    }
  });
});
