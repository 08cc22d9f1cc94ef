import { TicketIssuer } from '@codex-team/contracts';
import { TOOL_CONTRACTS, type AuthzDecision, type ToolName } from '@codex-team/contracts';
import { actionsOfCall } from '@codex-team/policy-engine';
import { DEFAULT_RECOVERY_POLICY, RecoverySweeper } from '@codex-team/recovery';
import { digestDatabase } from '@codex-team/store/testing';
import { AUTHORIZATION_STEPS, modeStep, permissionStep, type AuthorizationStep } from './authorize';
import { SecretGuard } from './secret-guard';
import { PolicyEnv } from './policy-env';
import { Session } from './session';
import { shippedPermissionPolicy } from './shipped-permissions';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';
import { errorBodyOf } from './testing/tool-caller';
import { ToolRegistry } from './tool-registry';
import { registerAllTools } from './tools';

const policy = shippedPermissionPolicy();

interface MadeCall {
  who: string;
  tool: ToolName;
  args: Record<string, unknown>;
  ok: boolean;
}

describe('authorization evidence', () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  it('records one decision per call, in call order, that replaying through the resolver reproduces', async () => {
    const calls: MadeCall[] = [];
    const agents = new Map<string, string>();
    const call = async (who: string, session: InProcessSession, tool: ToolName, args: Record<string, unknown> = {}) => {
      const result = await session.caller.call(tool, args);
      calls.push({ who, tool, args, ok: result.isError !== true });
      return result.structuredContent as Record<string, unknown> | undefined;
    };
    const lead = await team.connect();
    const started = (await call('lead', lead, 'team_start', { name: 'evidence' })) as { team: { id: string }; agent: { id: string } };
    agents.set('lead', started.agent.id);
    const mates: Record<string, InProcessSession> = {};
    for (const [name, role] of [['ann', 'implementer'], ['rex', 'reviewer']] as const) {
      const spawned = (await call('lead', lead, 'team_spawn', { name, role })) as { join_ticket: string; agent: { id: string } };
      mates[name] = await team.connect();
      await call(name, mates[name], 'team_join', { ticket: spawned.join_ticket });
      agents.set(name, spawned.agent.id);
    }
    const ann = mates['ann'] as InProcessSession;
    const rex = mates['rex'] as InProcessSession;
    await call('lead', lead, 'team_task_create', { tasks: [{ key: 'build', title: 'build' }, { key: 'review', title: 'review', required_role: 'reviewer', depends_on: ['build'] }] });
    await call('rex', rex, 'team_task_next'); // allowed, but the role-free task is not a reviewer's
    await call('rex', rex, 'team_spawn', { name: 'eve', role: 'implementer' }); // denied
    const next = (await call('ann', ann, 'team_task_next')) as { claim: { task: { id: string }; fence: number } };
    await call('ann', ann, 'team_task_update', { task_id: next.claim.task.id, fence: next.claim.fence, progress: 'half' });
    await call('ann', ann, 'team_task_update', { task_id: next.claim.task.id, title: 'renamed' }); // denied: edit
    await call('ann', ann, 'team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'built, tests pass' });
    await call('rex', rex, 'team_task_next');
    await call('rex', rex, 'team_send', { to: '*', body: 'reviewing' });
    await call('ann', ann, 'team_inbox');
    await call('ann', ann, 'team_finalize', { force: true }); // denied
    await call('lead', lead, 'team_status');
    await call('lead', lead, 'team_task_next', { task_id: 'tk_zzzzzzzz' }); // allowed, then NOT_FOUND
    await call('lead', lead, 'team_finalize', { force: true });

    const decisions: AuthzDecision[] = await team.store.listAuthzDecisions({ teamId: started.team.id as AuthzDecision['team_id'] & string });
    // One decision per call, in the order the calls were made.
    expect(decisions.map((d) => [d.agent_id, d.tool])).toEqual(calls.map((c) => [agents.get(c.who), c.tool]));
    expect(decisions.map((d) => d.outcome === 'ok')).toEqual(calls.map((c) => c.ok));
    expect(decisions.filter((d) => d.decision === 'deny').map((d) => [d.tool, d.rule])).toEqual([
      ['team_spawn', 'default-deny'],
      ['team_task_update', 'default-deny'],
      ['team_finalize', 'default-deny'],
    ]);
    // Replay: the recorded inputs (profile, tool, the call's actions) give the same decision and rule.
    decisions.forEach((decision, index) => {
      const made = calls[index] as MadeCall;
      if (decision.step !== 'permission') return;
      const actions = actionsOfCall(made.tool, TOOL_CONTRACTS[made.tool].input.parse(made.args));
      const replayed = policy.decideCall(decision.profile, made.tool, actions);
      expect({ seq: decision.seq, decision: replayed.decision, rule: replayed.rule, action: replayed.action }).toEqual({
        seq: decision.seq,
        decision: decision.decision,
        rule: decision.rule,
        action: decision.action,
      });
    });
    // Every state change a call made lies in the range of exactly one allowed decision. Fanout
    // recommendations and rebalancing decisions are written beside the lead's team_status read,
    // not by a state change.
    const events = (await team.store.listAuditEvents(started.team.id as AuthzDecision['team_id'] & string)).filter(
      (event) => event.action !== 'policy.fanout' && event.action !== 'rebalance.decide',
    );
    expect(events.length).toBeGreaterThan(8);
    for (const event of events) {
      const covering = decisions.filter((d) => d.audit_seqs !== null && d.audit_seqs.first <= event.seq && event.seq <= d.audit_seqs.last);
      expect({ event: event.action, covering: covering.map((d) => d.tool) }).toEqual({ event: event.action, covering: [expect.any(String)] });
      expect(covering[0]?.decision).toBe('allow');
    }
    // The lead replays the same decisions, in the same order, through team_run_summary's decisions log.
    const replayed = (await lead.caller.ok('team_run_summary', { log: 'decisions', limit: 1_000 })).log!;
    expect(replayed.events).toEqual([]);
    expect(replayed.decisions).toEqual(decisions);
    // The log says the same, line for line.
    const lines = team.logs.filter((line) => line['msg'] === 'tool call' && line['team_id'] === started.team.id);
    expect(lines.slice(0, decisions.length).map((line) => [line['tool'], line['decision'], line['rule'], line['action'], line['role'], line['profile']])).toEqual(
      decisions.map((d) => [d.tool, d.decision, d.rule, d.action, d.role, d.profile]),
    );
  });

  it('checks the arguments first, then identity, then permission', async () => {
    const { lead } = await team.startTeam();
    const { mate } = await team.joinTeammate(lead, 'rex', 'reviewer');
    const fresh = await team.connect();
    expect(await fresh.caller.code('team_spawn', { name: 42 })).toBe('INVALID_INPUT');
    expect((await fresh.caller.fails('team_spawn', { name: 'eve', role: 'tester' })).details).toMatchObject({ step: 'identity', rule: 'identity:unbound' });
    expect(await mate.caller.code('team_spawn', { name: 42 })).toBe('INVALID_INPUT');
    expect(await lead.caller.code('team_start', { name: 42 })).toBe('INVALID_INPUT');
    expect(await lead.caller.code('team_start', { name: 'second' })).toBe('ALREADY_BOUND');
    expect((await mate.caller.fails('team_spawn', { name: 'eve', role: 'tester' })).details).toMatchObject({ step: 'permission', rule: 'default-deny' });
  });

  it('records the loser of two racing binding calls of one session as an identity refusal', async () => {
    const { caller } = await team.connect();
    const results = await Promise.all([caller.call('team_start', { name: 'one' }), caller.call('team_start', { name: 'two' })]);
    const winner = results.find((result) => result.isError !== true)?.structuredContent as { team: { id: string } };
    const mine = await team.store.listAuthzDecisions({ teamId: winner.team.id as AuthzDecision['team_id'] & string });
    const unbound = await team.store.listAuthzDecisions({ teamId: null });
    expect(mine).toEqual([expect.objectContaining({ tool: 'team_start', decision: 'allow', outcome: 'ok' })]);
    expect(unbound).toEqual([expect.objectContaining({ tool: 'team_start', decision: 'deny', rule: 'identity:already-bound', outcome: 'ALREADY_BOUND' })]);
  });

  it('runs a step added after permission, which can only narrow what permission allowed', async () => {
    const noBroadcasts: AuthorizationStep = {
      name: 'permission',
      run: (call) =>
        call.tool === 'team_send' && call.actions?.includes('broadcast') === true
          ? { decision: 'deny', rule: 'test:quiet-hours', reason: 'no broadcasts now', code: 'DENIED' }
          : null,
    };
    await team.close();
    team = await InProcessTeam.open({ authorizationSteps: [...AUTHORIZATION_STEPS, noBroadcasts] });
    const { lead, started } = await team.startTeam();
    const { mate } = await team.joinTeammate(lead, 'rex', 'reviewer');
    const before = digestDatabase(team.dbPath);
    expect((await lead.caller.fails('team_send', { to: '*', body: 'all' })).details).toMatchObject({ rule: 'test:quiet-hours' });
    // A call the permission step refuses never reaches the later step.
    expect((await mate.caller.fails('team_finalize', {})).details).toMatchObject({ rule: 'default-deny' });
    expect(digestDatabase(team.dbPath)).toEqual(before);
    const sent = await mate.caller.ok('team_send', { to: started.agent.id, body: 'direct' });
    expect(sent.duplicate).toBe(false);
    // The allow recorded for a call the later step let pass is still the permission rule.
    const last = (await team.store.listAuthzDecisions({ teamId: started.team.id })).at(-1);
    expect(last).toMatchObject({ tool: 'team_send', decision: 'allow', rule: 'teammate.allow(team_send)' });
    // What runs after permission only narrows: the operating mode's gates.
    expect(AUTHORIZATION_STEPS.slice(AUTHORIZATION_STEPS.indexOf(permissionStep) + 1)).toEqual([modeStep]);
  });

  it('refuses every call, logged and recorded, when the permissions cannot be loaded', async () => {
    const logged: unknown[] = [];
    const logger = { info: () => undefined, error: (...args: unknown[]) => logged.push(args) } as unknown as ConstructorParameters<typeof ToolRegistry>[0]['logger'];
    const policy = new PolicyEnv(team.profiles, undefined);
    const registry = new ToolRegistry({
      env: {
        store: team.store,
        tickets: new TicketIssuer(),
        policy,
        guard: new SecretGuard(policy, logger),
        session: new Session(),
        clock: team.clock,
        logger,
        recovery: DEFAULT_RECOVERY_POLICY,
        sweeper: new RecoverySweeper(team.store, DEFAULT_RECOVERY_POLICY),
        hooks: null,
        startedFrom: () => ({ cwd: '/work', repo: null }),
      },
      logger,
      clock: team.clock,
      permissions: () => {
        throw new Error('permissions file is broken');
      },
    });
    registerAllTools(registry);
    const result = await registry.call('team_start', { name: 'nope' });
    expect(errorBodyOf('team_start', result)).toMatchObject({ code: 'INTERNAL', details: { rule: 'policy:unavailable' } });
    expect(logged).toEqual([[{ err: new Error('permissions file is broken') }, expect.stringContaining('could not be loaded') as string]]);
    expect(await team.store.listAuthzDecisions({ teamId: null })).toEqual([expect.objectContaining({ decision: 'deny', rule: 'policy:unavailable', outcome: 'INTERNAL' })]);
  });
});
