import type { Actor, AuthzDecisionInput, CallAuthorization } from '../team-store';
import type { Fixture } from './harness.conformance';
import { LEASE, claimPermission, expectCode, newTasks } from './harness.conformance';

/** An allow decision as the server hands it to an operation. */
function authorization(tool: string, overrides: Partial<AuthzDecisionInput> = {}): CallAuthorization {
  return {
    decision: {
      teamId: null,
      agentId: null,
      role: null,
      tool,
      action: 'create',
      profile: 'lead',
      rule: 'lead.allow(*)',
      matched: ['lead.allow(*)'],
      decision: 'allow',
      reason: 'lead.allow(*) allows it',
      step: 'permission',
      ...overrides,
    },
    recorded: null,
  };
}

function authorized(actor: Actor, tool: string): Actor & { authorization: CallAuthorization } {
  return {
    ...actor,
    authorization: authorization(tool, { teamId: actor.teamId, agentId: actor.agentId, role: 'lead' }),
  };
}

function standalone(teamId: string | null, tool: string, decision: 'allow' | 'deny', outcome: string): AuthzDecisionInput {
  return { ...authorization(tool, { teamId, decision }).decision, outcome };
}

/** The decision log: one record per call, with a state change in its transaction, else on its own. */
export function describeDecisionRules(fixture: () => Fixture): void {
  describe('decision log', () => {
    it('records the allow decision of a state change in its transaction, naming its audit events', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const actor = authorized(t.lead, 'team_task_create');
      await fx.store.createTasks(actor, newTasks([{ title: 'a' }, { title: 'b' }]));
      const events = await fx.audit(t.team.id);
      const creates = events.filter((event) => event.action === 'task.create').map((event) => event.seq);
      const decisions = await fx.store.listAuthzDecisions({ teamId: t.team.id });
      expect(decisions).toEqual([
        expect.objectContaining({
          seq: actor.authorization.recorded?.seq,
          team_id: t.team.id,
          agent_id: t.lead.agentId,
          role: 'lead',
          tool: 'team_task_create',
          decision: 'allow',
          outcome: 'ok',
          matched: ['lead.allow(*)'],
          audit_seqs: { first: creates[0], last: creates[1] },
        }),
      ]);
    });

    it("records a refused write's decision in the refused transaction, with the refusal as its outcome; a read records nothing", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const refused = authorized(t.lead, 'team_task_next');
      await fx.expectRefused('NOT_FOUND', () => fx.store.claimTask(refused, { task_id: 'tk_zzzzzzzz' }, LEASE));
      const read = authorized(t.lead, 'team_status');
      await fx.store.getStatus(read);
      expect(read.authorization.recorded).toBeNull();
      expect(await fx.store.listAuthzDecisions({ teamId: t.team.id })).toEqual([
        expect.objectContaining({ seq: refused.authorization.recorded?.seq, tool: 'team_task_next', decision: 'allow', outcome: 'NOT_FOUND', audit_seqs: null }),
      ]);
    });

    it('turns the allow into the deny of a rule only the operation could apply: the kind of task, a ticket', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const taskId = await fx.createTask(t.lead, { title: 'role-free work' });
      const kindDenied = {
        decision: 'deny' as const,
        rule: 'reviewer.deny(team_task_next:unassigned)',
        reason: 'reviewers do not take role-free work',
        matched: ['reviewer.deny(team_task_next:unassigned)'],
      };
      const claim = authorized(t.lead, 'team_task_next');
      const permission = {
        ...kindDenied,
        tool: 'team_task_next',
        action: 'own_role',
        profile: 'reviewer',
        allowed: ['own_role'],
        decisions: [
          { ...kindDenied, decision: 'allow' as const, rule: 'reviewer.allow(team_task_next:own_role)', tool: 'team_task_next', action: 'own_role', profile: 'reviewer' },
          { ...kindDenied, tool: 'team_task_next', action: 'unassigned', profile: 'reviewer' },
        ],
      };
      await fx.expectRefused('DENIED', () => fx.store.claimTask(claim, { task_id: taskId }, { ...LEASE, permission }));
      const resume = authorization('team_resume', { profile: null, step: 'identity', rule: 'identity:unbound-may-bind' });
      await expectCode(fx.store.resumeAgent({ resumeTicketHash: 'no-such-ticket', nextResumeTicketHash: fx.ticket('resume'), authorization: resume }), 'NOT_FOUND');
      expect((await fx.store.listAuthzDecisions({ teamId: t.team.id })).map((d) => [d.decision, d.step, d.action, d.rule, d.outcome])).toEqual([
        ['deny', 'permission', 'unassigned', 'reviewer.deny(team_task_next:unassigned)', 'DENIED'],
      ]);
      expect((await fx.store.listAuthzDecisions({ teamId: null })).map((d) => [d.decision, d.step, d.rule, d.outcome])).toEqual([
        ['deny', 'identity', 'identity:ticket', 'NOT_FOUND'],
      ]);
    });

    it('records the decision of a write that changed nothing, without audit events', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const actor = authorized(t.lead, 'team_task_next');
      expect((await fx.store.claimNextTask(actor, LEASE)).claim).toBeNull();
      expect(actor.authorization.recorded).not.toBeNull();
      expect(await fx.store.listAuthzDecisions({ teamId: t.team.id })).toEqual([expect.objectContaining({ audit_seqs: null, outcome: 'ok' })]);
    });

    it('records the decision of a checkpoint, whose actor comes in its options, and fills it in on that actor', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const actor = authorized(t.lead, 'team_checkpoint');
      await fx.store.checkpointTeam(t.team.id, { actor });
      const [decision] = await fx.store.listAuthzDecisions({ teamId: t.team.id });
      expect(actor.authorization.recorded?.seq).toBe(decision?.seq);
      expect(decision).toEqual(expect.objectContaining({ tool: 'team_checkpoint', outcome: 'ok' }));
    });

    it('lets binding operations fill in the team, agent and role they bind', async () => {
      const fx = fixture();
      const start = authorization('team_start', { profile: null, step: 'identity' });
      const bound = await fx.store.createTeam({
        name: 'bound',
        objective: '',
        maxThreads: 2,
        profile: 'default',
        leadName: 'lead',
        resumeTicketHash: 'resume-bound',
        authorization: start,
      });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      await fx.store.spawnAgent(lead, { name: 'ann', role: 'tester', joinTicketHash: 'join-ann' });
      const join = authorization('team_join', { profile: null, step: 'identity' });
      const ann = await fx.store.joinAgent({ joinTicketHash: 'join-ann', resumeTicketHash: 'resume-ann', authorization: join });
      const resume = authorization('team_resume', { profile: null, step: 'identity' });
      await fx.store.resumeAgent({ resumeTicketHash: 'resume-ann', nextResumeTicketHash: fx.ticket('resume'), authorization: resume });
      const decisions = await fx.store.listAuthzDecisions({ teamId: bound.team.id });
      expect(decisions.map((d) => [d.tool, d.agent_id, d.role])).toEqual([
        ['team_start', bound.agent.id, 'lead'],
        ['team_join', ann.agent.id, 'tester'],
        ['team_resume', ann.agent.id, 'tester'],
      ]);
      expect([start.recorded?.seq, join.recorded?.seq, resume.recorded?.seq]).toEqual(decisions.map((d) => d.seq));
    });

    it('keeps standalone decisions in commit order per team, and those of unbound sessions apart', async () => {
      const fx = fixture();
      const a = await fx.startTeam();
      const b = await fx.startTeam();
      const first = await fx.store.recordAuthzDecision(standalone(a.team.id, 'team_status', 'allow', 'ok'));
      await fx.store.recordAuthzDecision(standalone(null, 'team_status', 'deny', 'NOT_BOUND'));
      await fx.store.recordAuthzDecision(standalone(b.team.id, 'team_spawn', 'deny', 'DENIED'));
      const last = await fx.store.recordAuthzDecision(standalone(a.team.id, 'team_finalize', 'deny', 'DENIED'));
      expect(first).toMatchObject({ team_id: a.team.id, tool: 'team_status', outcome: 'ok', audit_seqs: null });
      expect((await fx.store.listAuthzDecisions({ teamId: a.team.id })).map((d) => d.seq)).toEqual([first.seq, last.seq]);
      expect(await fx.store.listAuthzDecisions({ teamId: null })).toEqual([expect.objectContaining({ team_id: null, outcome: 'NOT_BOUND' })]);
      expect(await fx.store.listAuthzDecisions({ teamId: a.team.id, afterSeq: first.seq, limit: 1 })).toEqual([last]);
    });

    it('stores a permission profile granted at spawn on the agent, and nothing when none was granted', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const granted = await fx.store.spawnAgent(t.lead, { name: 'obs', role: 'tester', joinTicketHash: 'join-obs', permissionProfile: 'observer' });
      const plain = await fx.store.spawnAgent(t.lead, { name: 'pat', role: 'tester', joinTicketHash: 'join-pat' });
      expect(granted.permission_profile).toBe('observer');
      expect('permission_profile' in plain).toBe(false);
      const joined = await fx.store.joinAgent({ joinTicketHash: 'join-obs', resumeTicketHash: 'resume-obs' });
      expect(joined.agent.permission_profile).toBe('observer');
      expect((await fx.store.getStatus(t.lead)).agents.find((agent) => agent.name === 'obs')?.permission_profile).toBe('observer');
    });

    it('claims only the kinds of task the permissions allow, checked inside the claim', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const rev = await fx.addMember(t, 'rev', 'reviewer');
      const free = await fx.createTask(t.lead, { title: 'role-free', priority: 9 });
      const own = await fx.createTask(t.lead, { title: 'review', required_role: 'reviewer' });
      const reviewerOnly = { ...LEASE, permission: claimPermission(['own_role']) };
      const refused = await fx.expectRefused('DENIED', () => fx.store.claimTask(rev.actor, { task_id: free }, reviewerOnly));
      expect(refused.details).toMatchObject({ action: 'unassigned', task_id: free });
      const next = await fx.store.claimNextTask(rev.actor, reviewerOnly);
      expect(next.claim?.task.id).toBe(own);
      const none = await fx.store.claimNextTask(rev.actor, reviewerOnly);
      expect(none).toEqual({ claim: null, reason: expect.stringContaining('tasks that name no role are not yours to claim') as string, open: 2 });
      const ownDenied = { ...LEASE, permission: claimPermission(['unassigned']) };
      const other = await fx.createTask(t.lead, { title: 'review 2', required_role: 'reviewer' });
      const error = await expectCode(fx.store.claimTask(rev.actor, { task_id: other }, ownDenied), 'DENIED');
      expect(error.details).toMatchObject({ action: 'own_role' });
      expect((await fx.store.claimNextTask(rev.actor, ownDenied)).claim?.task.id).toBe(free);
    });
  });
}
