import { TOOL_CONTRACTS, TOOL_NAMES, type AuthzDecision, type ToolName, type ToolOutput } from '@codex-team/contracts';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';
import { errorBodyOf, textOf } from './testing/tool-caller';
import { VALID_BOUND_CALLS } from './testing/valid-calls';

jest.setTimeout(60_000);

/**
 * Every way a session might act as someone else: naming another agent or another team's ids in
 * arguments, calling before binding, presenting a used, foreign or made-up ticket, or carrying on
 * after another session resumed the agent. Each attempt must be refused, change no state, and be
 * recorded in the decision log with the refusal as its outcome.
 */
describe('impersonation', () => {
  let team: InProcessTeam;
  let lead: InProcessSession;
  let mate: InProcessSession;
  let started: ToolOutput<'team_start'>;
  let mateId: string;
  let held: { taskId: string; fence: number };
  let readyTask: string;
  let foreign: { team: string; agent: string; task: string; artifact: string; message: string; joinTicket: string; resumeTicket: string };
  let usedJoinTicket: string;

  /** What one attempt did: its error code, and the decision log entries it added. */
  interface Attempt {
    label: string;
    code: string | null;
    decisions: AuthzDecision[];
  }
  const attempts: Attempt[] = [];

  async function decisionsNow(): Promise<AuthzDecision[]> {
    const teams = [...team.teamIds].map((teamId) => team.store.listAuthzDecisions({ teamId, limit: 10_000 }));
    const lists = await Promise.all([...teams, team.store.listAuthzDecisions({ teamId: null, limit: 10_000 })]);
    return lists.flat();
  }

  /** Makes the call, checks it was refused and changed no state, and returns what was recorded. */
  async function attempt(label: string, session: InProcessSession, tool: string, args: unknown): Promise<Attempt> {
    const before = digestDatabase(team.dbPath);
    const seen = new Set((await decisionsNow()).map((d) => d.seq));
    const result = await session.caller.call(tool, args);
    const after = digestDatabase(team.dbPath);
    const added = (await decisionsNow()).filter((d) => !seen.has(d.seq));
    const done: Attempt = { label, code: result.isError === true ? errorBodyOf(tool, result).code : null, decisions: added };
    attempts.push(done);
    expect({ label, refused: result.isError === true, text: result.isError === true ? '' : textOf(result) }).toEqual({ label, refused: true, text: '' });
    expect({ label, state: after }).toEqual({ label, state: before });
    expect({ label, recorded: added.map((d) => [d.tool, d.outcome]) }).toEqual({ label, recorded: [[tool, done.code]] });
    return done;
  }

  beforeAll(async () => {
    team = await InProcessTeam.open();
    ({ lead, started } = await team.startTeam({ name: 'home' }));
    const joined = await team.joinTeammate(lead, 'ann', 'implementer');
    mate = joined.mate;
    mateId = joined.joined.agent.id;
    usedJoinTicket = joined.spawned.join_ticket;
    const created = await lead.caller.ok('team_task_create', {
      tasks: [{ key: 'held', title: 'lead work', required_role: 'lead' }, { key: 'ready', title: 'open work' }],
    });
    const claim = (await lead.caller.ok('team_task_next', { task_id: created.keys['held'] })).claim!;
    held = { taskId: claim.task.id, fence: claim.fence };
    readyTask = created.keys['ready'] ?? '';

    // Another team in the same store, whose ids and tickets the first team must not reach.
    const other = await team.startTeam({ name: 'elsewhere' });
    const otherMate = await team.joinTeammate(other.lead, 'zed', 'implementer');
    const pending = await other.lead.caller.ok('team_spawn', { name: 'yan', role: 'tester' });
    const otherTask = await other.lead.caller.ok('team_task_create', { tasks: [{ title: 'theirs' }] });
    const otherArtifact = await other.lead.caller.ok('team_artifact_publish', { name: 'secret', content: 'theirs' });
    const otherMessage = await other.lead.caller.ok('team_send', { to: otherMate.joined.agent.id, body: 'private' });
    foreign = {
      team: other.started.team.id,
      agent: otherMate.joined.agent.id,
      task: otherTask.ids[0] ?? '',
      artifact: otherArtifact.artifact.id,
      message: otherMessage.message_id,
      joinTicket: pending.join_ticket,
      resumeTicket: otherMate.joined.resume_ticket,
    };
  });

  afterAll(async () => {
    await team.close();
  });

  it('refuses every tool called with another agent named in its arguments', async () => {
    const asLead = { agent_id: started.agent.id };
    for (const [tool, args] of VALID_BOUND_CALLS) {
      const done = await attempt(`${tool} as the lead`, mate, tool, { ...args, ...asLead });
      expect(done.code).toBe('INVALID_INPUT');
    }
    for (const tool of ['team_start', 'team_join', 'team_resume'] as const) {
      const fresh = await team.connect();
      const args = tool === 'team_start' ? { name: 'x' } : { ticket: usedJoinTicket };
      expect((await attempt(`${tool} naming an agent`, fresh, tool, { ...args, agent_id: mateId })).code).toBe('INVALID_INPUT');
    }
    // Writes about the lead's own claim, with the lead's fence: the claim is not the caller's.
    for (const [tool, args] of [
      ['team_task_complete', { task_id: held.taskId, fence: held.fence, result: 'I did it for the lead' }],
      ['team_task_release', { task_id: held.taskId, fence: held.fence, reason: 'mine now' }],
      ['team_task_update', { task_id: held.taskId, fence: held.fence, progress: 'as the lead' }],
      ['team_artifact_publish', { name: 'forged', content: 'x', task_id: held.taskId, fence: held.fence }],
      ['team_task_complete', { task_id: readyTask, fence: 0, result: 'never claimed it' }],
    ] as const) {
      expect((await attempt(`${tool} on the lead's claim`, mate, tool, args)).code).toBe('STALE_CLAIM');
    }
    // Editing or cancelling the lead's task is the lead's (or a planner's) to do.
    for (const args of [{ task_id: readyTask, title: 'mine now' }, { task_id: readyTask, cancel: true }]) {
      expect((await attempt("edit the lead's task", mate, 'team_task_update', args)).code).toBe('DENIED');
    }
    // Each is recorded as the caller's own attempt, never as the agent it named.
    const byMate = attempts.filter((a) => /as the lead|the lead's/.test(a.label));
    expect(new Set(byMate.map((a) => a.decisions[0]?.agent_id))).toEqual(new Set([mateId]));
  });

  it("refuses every tool called with another team's ids, which it cannot tell from unknown ones", async () => {
    const calls: [ToolName, Record<string, unknown>][] = [
      ['team_task_next', { task_id: foreign.task }],
      ['team_task_update', { task_id: foreign.task, fence: 1, progress: 'p' }],
      ['team_task_complete', { task_id: foreign.task, fence: 1, result: 'r' }],
      ['team_task_release', { task_id: foreign.task, fence: 1, reason: 'r' }],
      ['team_task_list', { after: foreign.task }],
      ['team_send', { to: foreign.agent, body: 'psst' }],
      ['team_send', { to: '*', body: 'see', artifact_refs: [foreign.artifact] }],
      ['team_inbox', { ack: [foreign.message] }],
      ['team_artifact_read', { artifact_id: foreign.artifact }],
      ['team_artifact_publish', { name: 'x', content: 'x', task_id: foreign.task, fence: 1 }],
    ];
    for (const [tool, args] of calls) {
      for (const [who, session] of [['teammate', mate], ['lead', lead]] as const) {
        const done = await attempt(`${tool} with a foreign id by the ${who}`, session, tool, args);
        expect({ tool, who, code: done.code }).toEqual({ tool, who, code: tool === 'team_task_list' ? 'INVALID_INPUT' : 'NOT_FOUND' });
      }
    }
    // Only the lead may create tasks here; a foreign dependency is unknown to it too.
    const dependsOnForeign = { tasks: [{ title: 'dep', depends_on: [foreign.task] }] };
    expect((await attempt('team_task_create with a foreign dependency', lead, 'team_task_create', dependsOnForeign)).code).toBe('NOT_FOUND');
    // Tools without ids cannot be pointed at another team either: a team id is not an argument.
    for (const [tool, args] of VALID_BOUND_CALLS.filter(([name]) => ['team_status', 'team_task_next', 'team_artifact_list', 'team_task_list'].includes(name))) {
      expect((await attempt(`${tool} with a team id`, mate, tool, { ...args, team_id: foreign.team })).code).toBe('INVALID_INPUT');
    }
    // A foreign ticket binds a session to its own agent only: the other team's join ticket cannot
    // be used from a session already bound here.
    expect((await attempt('join a foreign team while bound', mate, 'team_join', { ticket: foreign.joinTicket })).code).toBe('ALREADY_BOUND');
  });

  it('refuses every bound tool before the session is bound', async () => {
    const fresh = await team.connect();
    for (const [tool, args] of VALID_BOUND_CALLS) {
      const done = await attempt(`${tool} unbound`, fresh, tool, args);
      expect(done.code).toBe('NOT_BOUND');
      expect(done.decisions[0]).toMatchObject({ team_id: null, agent_id: null, decision: 'deny', rule: 'identity:unbound', step: 'identity' });
    }
  });

  it('refuses a used, a foreign-kind and a made-up ticket', async () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['used join ticket', 'team_join', { ticket: usedJoinTicket }, 'NOT_FOUND'],
      ["the lead's resume ticket as a join ticket", 'team_join', { ticket: started.resume_ticket }, 'NOT_FOUND'],
      ['a join ticket as a resume ticket', 'team_resume', { ticket: foreign.joinTicket }, 'NOT_FOUND'],
      ['a made-up resume ticket', 'team_resume', { ticket: `resume_${'b'.repeat(32)}` }, 'NOT_FOUND'],
      ['not a ticket at all', 'team_join', { ticket: 'let me in' }, 'NOT_FOUND'],
    ];
    for (const [label, tool, args, code] of cases) {
      const done = await attempt(label, await team.connect(), tool, args);
      expect({ label, code: done.code }).toEqual({ label, code });
      expect(done.decisions[0]).toMatchObject({ decision: 'deny', rule: 'identity:ticket', step: 'identity', team_id: null });
    }
  });

  it('refuses every bound tool on a session whose agent was resumed by a newer session (a revoked binding)', async () => {
    const joined = await team.joinTeammate(lead, 'old', 'tester');
    const newer = await team.connect();
    await newer.caller.ok('team_resume', { ticket: joined.joined.resume_ticket });
    for (const [tool, args] of VALID_BOUND_CALLS) {
      const done = await attempt(`${tool} on a superseded session`, joined.mate, tool, args);
      expect(done.code).toBe('NOT_BOUND');
      expect(done.decisions[0]).toMatchObject({
        team_id: started.team.id,
        agent_id: joined.joined.agent.id,
        decision: 'deny',
        rule: 'identity:binding-ended',
      });
    }
  });

  it('refuses the resume ticket and every call of an agent the idle sweep retired (a revoked ticket)', async () => {
    const quick = await team.startTeam({ name: 'quick', profile: 'fast' });
    const gone = await team.joinTeammate(quick.lead, 'gus', 'implementer');
    // fast retires a teammate not seen for two minutes; the lead stays busy meanwhile.
    team.clock.advance(121_000);
    await quick.lead.caller.ok('team_status');
    await team.sweeper.sweep();
    const agents = (await quick.lead.caller.ok('team_status')).agents;
    expect(agents.find((agent) => agent.id === gone.joined.agent.id)?.state).toBe('retired');
    const revoked = await attempt('resume a retired agent', await team.connect(), 'team_resume', { ticket: gone.joined.resume_ticket });
    expect(revoked.code).toBe('DENIED');
    expect(revoked.decisions[0]).toMatchObject({ decision: 'deny', rule: 'identity:ticket', team_id: null });
    for (const [tool, args] of VALID_BOUND_CALLS) {
      const done = await attempt(`${tool} by a retired agent`, gone.mate, tool, args);
      expect(done.code).toBe('NOT_BOUND');
      expect(done.decisions[0]).toMatchObject({ agent_id: gone.joined.agent.id, rule: 'identity:binding-ended' });
    }
  });

  it('refused 100% of the attempts, changed nothing, and recorded each once', () => {
    const boundTools = TOOL_NAMES.filter((tool) => TOOL_CONTRACTS[tool].audience !== 'unbound');
    const tried = new Set(attempts.map((a) => a.decisions[0]?.tool));
    for (const tool of TOOL_NAMES) expect({ tool, tried: tried.has(tool) }).toEqual({ tool, tried: true });
    expect(boundTools.length).toBeGreaterThan(10);
    expect(attempts.length).toBeGreaterThan(70);
    expect(attempts.filter((a) => a.code === null)).toEqual([]);
    expect(attempts.filter((a) => a.decisions.length !== 1)).toEqual([]);
  });
});
