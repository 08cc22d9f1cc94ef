import { DEFAULTS, TicketSchema } from '@codex-team/contracts';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam } from './testing/in-process-team';

describe('team tools', () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  it('team_start makes a team with the caller as lead and returns a resume ticket', async () => {
    const { started } = await team.startTeam({ name: 'alpha', objective: 'ship it', lead_name: 'boss' });
    expect(started.team).toEqual({
      id: expect.stringMatching(/^tm_/),
      name: 'alpha',
      state: 'active',
      lead_agent_id: started.agent.id,
      max_threads: DEFAULTS.maxThreads,
      profile: 'default',
      mode: 'default',
    });
    expect(started.agent).toMatchObject({ name: 'boss', role: 'lead', state: 'active' });
    expect(started.team.lead_agent_id).toBe(started.agent.id);
    expect(started.resume_ticket).toMatch(/^resume_[a-z2-7]{32}$/);
  });

  it('team_status shows the team, its agents, task counts and unread messages', async () => {
    const { lead, started } = await team.startTeam();
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'a' }, { title: 'b' }] });
    await mate.caller.ok('team_send', { to: started.agent.id, body: 'hello' });
    const status = await lead.caller.ok('team_status');
    expect(status.me.id).toBe(started.agent.id);
    // The others: the caller is `me`.
    expect(status.agents.map((agent) => agent.name)).toEqual(['ann']);
    expect(status.me).toMatchObject({ name: 'lead', role: 'lead', state: 'active' });
    expect(status.tasks_by_status['ready']).toBe(2);
    expect(status.active_threads).toBe(1);
    expect(status.unread_messages).toBe(1);
  });

  it('team_spawn returns a one-use join ticket and an instruction to paste into spawn_agent', async () => {
    const { lead, started } = await team.startTeam();
    const spawned = await lead.caller.ok('team_spawn', { name: 'ann', role: 'reviewer' });
    expect(spawned.agent).toEqual({ id: expect.stringMatching(/^ag_/), name: 'ann', role: 'reviewer', state: 'invited' });
    expect((await team.store.readTeam(started.team.id)).agents.map((agent) => agent.name)).toContain('ann');
    expect(TicketSchema.parse(spawned.join_ticket)).toMatch(/^join_/);
    const instruction = spawned.spawn_instruction;
    for (const part of ['ann', 'reviewer', 'alpha', 'team_join', '"team" MCP server', `{"ticket":"${spawned.join_ticket}"}`]) {
      expect(instruction).toContain(part);
    }
    expect(instruction).toMatch(/team_task_next.*team_task_complete.*team_inbox/s);
    expect(instruction.length).toBeLessThan(600);
  });

  it('team_join binds the teammate in its own session; the ticket works once', async () => {
    const { lead, started } = await team.startTeam();
    const { spawned, joined, mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    expect(joined.agent).toMatchObject({ id: spawned.agent.id, state: 'active' });
    expect(joined.team.id).toBe(started.team.id);
    expect(joined.resume_ticket).toMatch(/^resume_/);
    expect((await mate.caller.ok('team_status')).me.id).toBe(spawned.agent.id);
    const again = await team.connect();
    const before = digestDatabase(team.dbPath);
    expect(await again.caller.code('team_join', { ticket: spawned.join_ticket })).toBe('NOT_FOUND');
    expect(await again.caller.code('team_join', { ticket: 'join_' + 'a'.repeat(32) })).toBe('NOT_FOUND');
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('team_resume re-binds a teammate after a restart; unknown tickets are NOT_FOUND', async () => {
    const { lead } = await team.startTeam();
    const { joined, mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    const restarted = await team.connect();
    const resumed = await restarted.caller.ok('team_resume', { ticket: joined.resume_ticket });
    expect(resumed.agent.id).toBe(joined.agent.id);
    expect(await mate.caller.code('team_status')).toBe('NOT_BOUND');
    const stranger = await team.connect();
    expect(await stranger.caller.code('team_resume', { ticket: 'resume_' + 'b'.repeat(32) })).toBe('NOT_FOUND');
    // The ticket rotates on use: the one used binds nothing, the one answered binds once.
    expect(resumed.resume_ticket).toMatch(/^resume_/);
    expect(resumed.resume_ticket).not.toBe(joined.resume_ticket);
    expect(await (await team.connect()).caller.code('team_resume', { ticket: joined.resume_ticket })).toBe('NOT_FOUND');
    const again = await (await team.connect()).caller.ok('team_resume', { ticket: resumed.resume_ticket });
    expect(again.agent.id).toBe(joined.agent.id);
  });

  it('team_spawn refuses a duplicate name, the lead role and more teammates than max_threads', async () => {
    const { lead } = await team.startTeam({ name: 'small', max_threads: 1 });
    await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    const before = digestDatabase(team.dbPath);
    expect(await lead.caller.code('team_spawn', { name: 'ann', role: 'tester' })).toBe('CONFLICT');
    expect(await lead.caller.code('team_spawn', { name: 'bob', role: 'tester' })).toBe('LIMIT_EXCEEDED');
    expect(await lead.caller.code('team_spawn', { name: 'cy', role: 'lead' })).toBe('INVALID_INPUT');
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('team_finalize refuses unfinished work unless forced, then the team takes no changes', async () => {
    const { lead } = await team.startTeam();
    const spawned = await lead.caller.ok('team_spawn', { name: 'late', role: 'tester' });
    const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'open' }] });
    expect(await lead.caller.code('team_finalize', {})).toBe('CONFLICT');
    const finalized = await lead.caller.ok('team_finalize', { summary: 'stopped early', force: true });
    expect(finalized.team).toMatchObject({ state: 'finalized' });
    expect((await team.store.readTeam(finalized.team.id)).team.summary).toBe('stopped early');
    expect(finalized.cancelled_task_ids).toEqual([created.ids[0]]);
    expect(await lead.caller.code('team_task_create', { tasks: [{ title: 'more' }] })).toBe('TEAM_FINALIZED');
    expect(await lead.caller.code('team_finalize', { force: true })).toBe('TEAM_FINALIZED');
    const late = await team.connect();
    expect(await late.caller.code('team_join', { ticket: spawned.join_ticket })).toBe('TEAM_FINALIZED');
    expect((await lead.caller.ok('team_status')).team.state).toBe('finalized');
  });

  it('team_finalize succeeds without force when every task is finished', async () => {
    const { lead } = await team.startTeam();
    const { ids } = await lead.caller.ok('team_task_create', { tasks: [{ title: 'only' }] });
    const claim = (await lead.caller.ok('team_task_next', { task_id: ids[0]! })).claim!;
    await lead.caller.ok('team_task_complete', { task_id: claim.task.id, fence: claim.fence, result: 'done, checked' });
    const finalized = await lead.caller.ok('team_finalize', { summary: 'all done' });
    expect(finalized).toMatchObject({ team: { state: 'finalized' }, cancelled_task_ids: [] });
  });
});
