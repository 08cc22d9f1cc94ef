import type { TeamId } from '@codex-team/contracts';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { InProcessTeam } from './testing/in-process-team';

const V2_DEFAULT = { teammates: 3, from: 'multi-agent v2 default: 4 threads per session, lead included' };

describe("Codex's thread cap in the server", () => {
  let team: InProcessTeam;
  afterEach(async () => {
    await team.close();
  });

  it("never hints more spawns than Codex allows, and names Codex's cap in the reasons", async () => {
    team = await InProcessTeam.open({ codexThreadCap: V2_DEFAULT });
    const { lead } = await team.startTeam({ name: 'wide', max_threads: 6 });
    await lead.caller.ok('team_task_create', {
      tasks: Array.from({ length: 12 }, (_, i) => ({ title: `part ${i}`, required_role: i % 2 === 0 ? 'implementer' : 'tester' })),
    });
    const { hints } = await lead.caller.ok('team_status');
    expect(hints?.cap).toBe(3);
    expect(hints?.spawn.reduce((sum, s) => sum + s.count, 0)).toBe(3);
    expect(hints?.cap).toBe(3);
  });

  it("hints a child team's lead no more spawns than the tree and Codex leave it: the threads of the tree's other teams count", async () => {
    team = await InProcessTeam.open({ codexThreadCap: V2_DEFAULT });
    const { lead } = await team.startTeam({ name: 'root', max_threads: 6 });
    const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'the parser' }] });
    for (const name of ['ann', 'bob']) await lead.caller.ok('team_spawn', { name, role: 'tester' });
    const child = await lead.caller.ok('team_child', { action: 'start', tasks: [created.ids[0] ?? ''], lead: 'self' });
    const inChild = { team: child.team.id };
    await lead.caller.ok('team_task_create', { ...inChild, tasks: Array.from({ length: 6 }, (_, i) => ({ title: `rule ${i}`, required_role: 'implementer' })) });
    const { hints } = await lead.caller.ok('team_status', inChild);
    const recommended = hints?.spawn.reduce((sum, s) => sum + s.count, 0) ?? 0;
    // Codex allows 3 teammates in the whole tree; the root holds 2 of them: one is left for the child.
    expect(hints?.cap).toBe(1);
    expect(recommended).toBe(1);
    // The answer says whom to spawn; the reasoning is audited with the recommendation (policy.fanout).
    const fanout = (await team.store.listAuditEvents(child.team.id as TeamId)).filter((event) => event.action === 'policy.fanout').at(-1);
    expect(fanout?.reason).toContain(`Codex's thread cap (${V2_DEFAULT.from}) less 2 threads of the tree's other teams 1`);
    for (let i = 0; i < recommended; i += 1) await lead.caller.ok('team_spawn', { ...inChild, name: `cid${i}`, role: 'implementer' });
    const refused = await lead.caller.fails('team_spawn', { ...inChild, name: 'one-more', role: 'implementer' });
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { rule: 'hierarchy.tree_threads' } });
    expect((await lead.caller.ok('team_status', inChild)).hints?.spawn).toEqual([]);
  });

  it("gives a new team Codex's cap as its default max_threads, and keeps an explicit one", async () => {
    team = await InProcessTeam.open({ codexThreadCap: V2_DEFAULT });
    expect((await team.startTeam({ name: 'plain' })).started.team.max_threads).toBe(3);
    expect((await team.startTeam({ name: 'asked', max_threads: 5 })).started.team.max_threads).toBe(5);
  });

  it("refuses a 4th teammate with LIMIT_EXCEEDED naming Codex's cap", async () => {
    team = await InProcessTeam.open({ codexThreadCap: V2_DEFAULT });
    const { lead } = await team.startTeam({ name: 'capped', max_threads: 6 });
    for (const name of ['ann', 'bob', 'cy']) await lead.caller.ok('team_spawn', { name, role: 'implementer' });
    const refused = await lead.caller.fails('team_spawn', { name: 'dee', role: 'implementer' });
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { max_threads: 6, thread_cap: 3, used: 3 } });
    expect(refused.message).toContain(`already has 3 of 3 teammate threads (Codex's thread cap allows 3 teammates at once (${V2_DEFAULT.from}))`);
  });

  it('keeps the profile and max_threads caps as they were when Codex allows more', async () => {
    team = await InProcessTeam.open({ codexThreadCap: { teammates: 6, from: '[agents] max_threads 6' } });
    const { lead } = await team.startTeam({ name: 'small', max_threads: 1 });
    await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    const refused = await lead.caller.fails('team_spawn', { name: 'bob', role: 'implementer' });
    expect(refused.message).toContain('(team max_threads allows 1 teammate at once)');
  });

  it('tells the lead how to spawn under both multi-agent surfaces, naming the server key it was installed under', async () => {
    team = await InProcessTeam.open({ codexServerKey: 'crew' });
    const { lead } = await team.startTeam({ name: 'named' });
    const spawned = await lead.caller.ok('team_spawn', { name: 'Ann-Lee', role: 'implementer' });
    expect(spawned.spawn_instruction).toContain('First call the team_join tool of the "crew" MCP server');
    expect(spawned.spawn_with).toBe(
      'multi_agent_v1: spawn_agent {"message": spawn_instruction}. ' +
        'collaboration (v2): spawn_agent {"task_name": "ann_lee", "message": spawn_instruction, "fork_turns": "none"}',
    );
  });

  it('records the Codex thread a binding call came from, so hooks can find the agent', async () => {
    team = await InProcessTeam.open();
    const session = await team.connect();
    const result = await session.caller.client.callTool(
      { name: 'team_start', arguments: { name: 'threaded' }, _meta: { threadId: '01a24b1f-3203-79b3-8cbb-e758ab4e4dc4' } },
      CallToolResultSchema,
    );
    expect(result.isError).not.toBe(true);
    const found = await team.store.findAgentByCodexThread('01a24b1f-3203-79b3-8cbb-e758ab4e4dc4');
    expect(found?.agentId).toBe(session.session.binding?.agentId);
  });
});
