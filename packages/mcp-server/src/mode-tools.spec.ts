import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam } from './testing/in-process-team';

describe('operating modes over MCP', () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  it('shows the mode, its gates and where it may go; only the lead may read or change it', async () => {
    const { lead } = await team.startTeam();
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    const read = await lead.caller.ok('team_mode');
    expect(read.mode.current).toBe('default');
    expect(read.gates).toEqual([]);
    expect(read.previous).toBeUndefined();
    expect(read.transitions?.map((t) => [t.to, t.allowed])).toEqual([
      ['delegate', true],
      ['plan', true],
    ]);
    expect(await mate.caller.code('team_mode')).toBe('DENIED');
    expect(await mate.caller.code('team_mode', { mode: 'plan', reason: 'me' })).toBe('DENIED');
  });

  it('switches every agent to plan mode on its next call, and back, each change audited with actor and reason', async () => {
    const { lead, started } = await team.startTeam();
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'build', required_role: 'implementer' }] });
    const set = await lead.caller.ok('team_mode', { mode: 'plan', reason: 'agree on the design first' });
    expect(set).toMatchObject({ mode: { current: 'plan', set_by: started.agent.id }, previous: { current: 'default' }, in_flight_task_ids: [] });
    expect((await mate.caller.ok('team_status')).team.mode).toBe('plan');
    const refused = await mate.caller.fails('team_task_next');
    expect(refused).toMatchObject({ code: 'DENIED', details: { mode: 'plan', rule: 'mode.plan:no-claims', mode_reason: 'agree on the design first' } });
    expect((await lead.caller.ok('team_mode')).gates.map((gate) => gate.rule)).toEqual([
      'mode.plan:no-claims',
      'mode.plan:no-completions',
      'mode.plan:no-execution-spawn',
      'mode.plan:plans-only',
    ]);
    await lead.caller.ok('team_mode', { mode: 'default', reason: 'design agreed' });
    expect((await mate.caller.ok('team_task_next')).claim?.task.title).toBe('build');
    const changes = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'mode.set');
    expect(changes.map((e) => [e.actor_agent_id, (e.data['previous'] as { current: string }).current, e.reason])).toEqual([
      [started.agent.id, 'default', 'default -> plan (mode.transition:default->plan): agree on the design first'],
      [started.agent.id, 'plan', 'plan -> default (mode.transition:plan->default): design agreed'],
    ]);
  });

  it('refuses transitions the table does not allow with their rule, changing nothing but the audited refusal', async () => {
    const { lead, started } = await team.startTeam();
    const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'mine' }] });
    const taskId = created.ids[0] ?? '';
    expect((await lead.caller.ok('team_task_next', { task_id: taskId })).claim).not.toBeNull();
    const refusals: [Record<string, unknown>, string][] = [
      [{ mode: 'default', reason: 'again' }, 'mode.transition:unchanged'],
      [{ mode: 'delegate', reason: 'hand off' }, 'mode.transition:lead-holds-work'],
    ];
    for (const [args, rule] of refusals) {
      const { audit_events: _auditBefore, ...before } = digestDatabase(team.dbPath);
      const body = await lead.caller.fails('team_mode', args);
      expect(body).toMatchObject({ code: 'CONFLICT', details: { rule } });
      const audit = await team.store.listAuditEvents(started.team.id);
      expect(audit.at(-1)).toMatchObject({ action: 'policy.deny', decision: 'deny' });
      expect(audit.at(-1)?.reason).toContain(rule);
      // Only that audit event was added: the mode and everything else are as before.
      const { audit_events: _auditAfter, ...after } = digestDatabase(team.dbPath);
      expect(after).toEqual(before);
    }
    expect((await lead.caller.ok('team_mode')).mode.current).toBe('default');
    expect(await lead.caller.code('team_mode', { mode: 'plan', reason: 'x', ttl_ms: 10 })).toBe('INVALID_INPUT');
  });

  it('returns a temporary mode on the server clock at the next check, before any sweep, and the sweep records it once', async () => {
    const { lead, started } = await team.startTeam();
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'the lead would do it' }] });
    const set = await lead.caller.ok('team_mode', { mode: 'delegate', reason: 'an hour of coordination', ttl_ms: 3_600_000 });
    expect(set.mode).toMatchObject({ current: 'delegate', returns_to: 'default' });
    expect(await lead.caller.code('team_task_next')).toBe('DENIED');
    team.clock.advance(3_599_999);
    expect(await lead.caller.code('team_task_next')).toBe('DENIED');
    team.clock.advance(1);
    // Lapsed: the very next check sees default, though nothing has recorded the lapse yet.
    expect((await lead.caller.ok('team_task_next')).claim?.task.title).toBe('the lead would do it');
    expect((await team.store.listAuditEvents(started.team.id)).some((e) => e.action === 'mode.expire')).toBe(false);
    await team.sweeper.sweep();
    await team.sweeper.sweep();
    const lapses = (await team.store.listAuditEvents(started.team.id)).filter((e) => e.action === 'mode.expire');
    expect(lapses).toHaveLength(1);
    expect(lapses[0]).toMatchObject({ actor_agent_id: null, at: new Date(team.clock.now()).toISOString() });
    expect((await lead.caller.ok('team_mode')).mode).toMatchObject({ current: 'default', expires_at: null });
  });

  it('runs a plan through submission and the lead approval, each side told through its inbox', async () => {
    const { lead } = await team.startTeam();
    const { mate, joined } = await team.joinTeammate(lead, 'pia', 'planner');
    await lead.caller.ok('team_mode', { mode: 'plan', reason: 'plan first' });
    const { artifact } = await mate.caller.ok('team_artifact_publish', { name: 'plan.md', content: '# steps', plan: true });
    expect((await mate.caller.ok('team_plan', { action: 'submit', artifact_id: artifact.id })).plan.status).toBe('pending');
    const leadInbox = await lead.caller.ok('team_inbox');
    expect(leadInbox.messages.map((m) => [m.from_agent_id, m.artifact_refs])).toEqual([[joined.agent.id, [artifact.id]]]);
    expect(await mate.caller.code('team_plan', { action: 'approve', artifact_id: artifact.id, reason: 'self' })).toBe('DENIED');
    expect(await lead.caller.code('team_plan', { action: 'approve', artifact_id: artifact.id })).toBe('INVALID_INPUT');
    const approved = await lead.caller.ok('team_plan', { action: 'approve', artifact_id: artifact.id, reason: 'small and testable' });
    expect(approved.plan).toMatchObject({ status: 'approved', reason: 'small and testable' });
    expect((await mate.caller.ok('team_inbox')).messages.map((m) => m.body)).toEqual(['plan approved: small and testable']);
  });
});
