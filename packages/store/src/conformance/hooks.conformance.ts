import { combineHookRuns, type HookOutcome } from '@codex-team/hooks';
import { replayAuditTrail } from '../audit-replay';
import type { Actor } from '../team-store';
import type { Fixture, MemberHandle, TeamHandle } from './harness.conformance';
import { LEASE, complete, expectCode, publish } from './harness.conformance';

/** A held task of `risk` for `holder`: its id and fence. */
async function heldTask(fx: Fixture, t: TeamHandle, holder: Actor, risk: 'low' | 'medium' | 'high'): Promise<{ taskId: string; fence: number }> {
  const taskId = await fx.createTask(t.lead, { title: `${risk} work`, risk });
  const claim = await fx.store.claimTask(holder, { task_id: taskId }, LEASE);
  return { taskId, fence: claim.fence };
}

const review = (taskId: string, verdict: 'approve' | 'reject' = 'approve') => ({ task_id: taskId, review: verdict });

/** A block as the server's command hooks would hand it over. */
function commandBlock(): HookOutcome {
  return combineHookRuns('PreTaskComplete', [
    { hook: 'hooks-file:lint', kind: 'command', decision: 'block', reason: 'lint failed', failure: null, additionalContext: null, durationMs: 41, exitStatus: 2, outputSha256: 'a'.repeat(64) },
    { hook: 'hooks-file:fmt', kind: 'command', decision: 'allow', reason: 'allowed', failure: null, additionalContext: null, durationMs: 7, exitStatus: 0, outputSha256: 'b'.repeat(64) },
  ]);
}

/** Risk tiers, reviews, the profile's quality gates and caps applied inside the store's transactions. */
export function describeHookRules(fixture: () => Fixture): void {
  describe('risk tiers', () => {
    it('a task is low risk unless created with a tier; the lead sets it later, also while it is held', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const plain = await fx.createTask(ann.actor, { title: 'plain' });
      const risky = await fx.createTask(ann.actor, { title: 'risky', risk: 'high' });
      const listed = await fx.store.listTasks(t.lead, {});
      expect(listed.tasks.map((task) => [task.id, task.risk])).toEqual([
        [plain, 'low'],
        [risky, 'high'],
      ]);
      const edited = await fx.store.updateTask(t.lead, { task_id: plain, risk: 'medium' }, LEASE);
      expect(edited.task.risk).toBe('medium');
      const claim = await fx.store.claimTask(ann.actor, { task_id: plain }, LEASE);
      const raised = await fx.store.updateTask(t.lead, { task_id: plain, risk: 'high' }, LEASE);
      expect(raised.task).toMatchObject({ risk: 'high', status: 'in_progress', fence: claim.fence, owner_agent_id: ann.agentId });
      expect((await fx.audit(t.team.id)).filter((e) => e.action === 'task.edit').map((e) => e.reason)).toEqual([
        'task "plain" edited',
        'task "plain" risk set to high',
      ]);
    });

    it('only the lead sets a tier, and never on a finished task', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const own = await fx.createTask(ann.actor, { title: 'mine' });
      await fx.expectRefused('DENIED', () => fx.store.updateTask(ann.actor, { task_id: own, risk: 'low' }, LEASE));
      const claim = await fx.store.claimTask(t.lead, { task_id: own }, LEASE);
      await fx.store.completeTask(t.lead, complete(own, claim.fence));
      await fx.expectRefused('CONFLICT', () => fx.store.updateTask(t.lead, { task_id: own, risk: 'high' }, LEASE));
    });
  });

  describe('reviews', () => {
    it("records one vote per agent and claim, a later vote replacing the earlier; never the holder's", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const rex = await fx.addMember(t, 'rex', 'reviewer');
      const { taskId, fence } = await heldTask(fx, t, ann.actor, 'medium');
      await fx.expectRefused('DENIED', () => fx.store.updateTask(ann.actor, review(taskId), LEASE));
      await fx.store.updateTask(rex.actor, review(taskId, 'reject'), LEASE);
      await fx.store.updateTask(rex.actor, review(taskId), LEASE);
      const snapshot = await fx.store.readTeam(t.team.id);
      expect(snapshot.reviews.map((r) => [r.task_id, r.fence, r.reviewer_agent_id, r.verdict])).toEqual([[taskId, fence, rex.agentId, 'approve']]);
      const votes = (await fx.audit(t.team.id)).filter((e) => e.action === 'task.review');
      expect(votes.map((e) => [e.actor_agent_id, (e.data['review'] as { verdict: string }).verdict])).toEqual([
        [rex.agentId, 'reject'],
        [rex.agentId, 'approve'],
      ]);
      expect(replayAuditTrail(await fx.audit(t.team.id))).toEqual(snapshot);
    });

    it('reviews only a task in progress, and a review stands alone', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const rex = await fx.addMember(t, 'rex', 'reviewer');
      const ready = await fx.createTask(t.lead, { title: 'not claimed' });
      await fx.expectRefused('CONFLICT', () => fx.store.updateTask(rex.actor, review(ready), LEASE));
      const { taskId } = await heldTask(fx, t, t.lead, 'low');
      await fx.expectRefused('INVALID_INPUT', () => fx.store.updateTask(rex.actor, { ...review(taskId), progress: 'and a note' }, LEASE));
    });
  });

  describe('quality gates of a completion (default profile)', () => {
    async function team(fx: Fixture): Promise<{ t: TeamHandle; ann: MemberHandle; rex: MemberHandle; ria: MemberHandle }> {
      const t = await fx.startTeam();
      return { t, ann: await fx.addMember(t, 'ann'), rex: await fx.addMember(t, 'rex', 'reviewer'), ria: await fx.addMember(t, 'ria', 'reviewer') };
    }

    it('low risk completes as before, with nothing asked', async () => {
      const fx = fixture();
      const { t, ann } = await team(fx);
      const { taskId, fence } = await heldTask(fx, t, ann.actor, 'low');
      expect((await fx.store.completeTask(ann.actor, complete(taskId, fence))).task.status).toBe('done');
    });

    it('medium risk is blocked until evidence and one review exist, keeping the claim; then it completes', async () => {
      const fx = fixture();
      const { t, ann, rex } = await team(fx);
      const { taskId, fence } = await heldTask(fx, t, ann.actor, 'medium');
      const { error, event } = await fx.expectHookBlocked('hook:builtin:quality.medium.require_evidence', () =>
        fx.store.completeTask(ann.actor, complete(taskId, fence)),
      );
      expect(error.message).toContain('needs evidence');
      expect(error.message).toContain('needs 1 approving review');
      expect(event).toMatchObject({ actor_agent_id: ann.agentId, subject_id: taskId, data: { event: 'PreTaskComplete', tool: 'team_task_complete' } });
      expect((event.data['runs'] as { hook: string; decision: string }[]).map((run) => [run.hook, run.decision])).toEqual([
        ['builtin:quality.medium.require_evidence', 'block'],
        ['builtin:quality.medium.required_reviews', 'block'],
      ]);
      const notes = await fx.store.publishArtifact(ann.actor, publish('notes', 'what I did', { task_id: taskId, fence }));
      await fx.expectHookBlocked('hook:builtin:quality.medium.required_reviews', () =>
        fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [notes.id] })),
      );
      await fx.store.updateTask(rex.actor, review(taskId), LEASE);
      const done = await fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [notes.id] }));
      expect(done.task.status).toBe('done');
    });

    it('high risk needs test evidence and two approvals by distinct agents; a repeated vote counts once', async () => {
      const fx = fixture();
      const { t, ann, rex, ria } = await team(fx);
      const { taskId, fence } = await heldTask(fx, t, ann.actor, 'high');
      const notes = await fx.store.publishArtifact(ann.actor, publish('notes', 'n'));
      await fx.store.updateTask(rex.actor, review(taskId), LEASE);
      await fx.store.updateTask(rex.actor, review(taskId), LEASE);
      const { error } = await fx.expectHookBlocked('hook:builtin:quality.high.require_tests', () =>
        fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [notes.id] })),
      );
      expect(error.message).toContain('1 more missing: approved by rex');
      const tests = await fx.store.publishArtifact(ann.actor, publish('test-run', '12 passed', { tests: true }));
      await fx.expectHookBlocked('hook:builtin:quality.high.required_reviews', () =>
        fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [notes.id, tests.id] })),
      );
      await fx.store.updateTask(ria.actor, review(taskId), LEASE);
      expect((await fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [tests.id] }))).task.status).toBe('done');
    });

    it("approvals of an earlier claim do not count for the next one; a failed outcome needs none", async () => {
      const fx = fixture();
      const { t, ann, rex } = await team(fx);
      const { taskId, fence } = await heldTask(fx, t, ann.actor, 'medium');
      await fx.store.updateTask(rex.actor, review(taskId), LEASE);
      await fx.store.releaseTask(ann.actor, { task_id: taskId, fence, reason: 'handing over' });
      const again = await fx.store.claimTask(t.lead, { task_id: taskId }, LEASE);
      const notes = await fx.store.publishArtifact(t.lead, publish('notes', 'n'));
      await fx.expectHookBlocked('hook:builtin:quality.medium.required_reviews', () =>
        fx.store.completeTask(t.lead, complete(taskId, again.fence, { artifact_ids: [notes.id] })),
      );
      expect((await fx.store.completeTask(t.lead, complete(taskId, again.fence, { outcome: 'failed' }))).task.status).toBe('failed');
    });

    it('a blocked completion still charges the usage it reports, and replays', async () => {
      const fx = fixture();
      const { t, ann } = await team(fx);
      const { taskId, fence } = await heldTask(fx, t, ann.actor, 'medium');
      await expectCode(fx.store.completeTask(ann.actor, complete(taskId, fence, { usage: { input_tokens: 10, output_tokens: 5 } })), 'HOOK_BLOCKED');
      const snapshot = await fx.store.readTeam(t.team.id);
      expect(snapshot.used_tokens).toBe(15);
      expect(snapshot.tasks.find((task) => task.id === taskId)).toMatchObject({ status: 'in_progress', owner_agent_id: ann.agentId, fence });
      expect(replayAuditTrail(await fx.audit(t.team.id))).toEqual(snapshot);
    });
  });

  describe('quality gates in a child team', () => {
    it("a delegated brief keeps its risk tier: the child completes it only past the tier's gates, then the roll-up does the parent's task", async () => {
      const fx = fixture();
      const root = await fx.startTeam();
      const delegated = await fx.createTask(root.lead, { title: 'migrate the schema', risk: 'medium' });
      const child = await fx.startChild(root.lead, [delegated], { ticket: true });
      const cid = await fx.addMember(child, 'cid');
      const rex = await fx.addMember(child, 'rex', 'reviewer');
      const [brief] = (await fx.store.listTasks(cid.actor, {})).tasks;
      expect(brief).toMatchObject({ title: 'migrate the schema', risk: 'medium' });
      const briefId = brief?.id ?? '';
      const claim = await fx.store.claimTask(cid.actor, { task_id: briefId }, LEASE);
      const { event } = await fx.expectHookBlocked('hook:builtin:quality.medium.require_evidence', () =>
        fx.store.completeTask(cid.actor, complete(briefId, claim.fence)),
      );
      expect(event).toMatchObject({ team_id: child.team.id, actor_agent_id: cid.agentId, subject_id: briefId });
      const notes = await fx.store.publishArtifact(cid.actor, publish('migration.md', 'applied and checked', { task_id: briefId, fence: claim.fence }));
      await fx.store.updateTask(rex.actor, review(briefId), LEASE);
      await fx.store.completeTask(cid.actor, complete(briefId, claim.fence, { artifact_ids: [notes.id] }));
      await fx.store.finalizeTeam(child.lead, { summary: 'schema migrated', force: false });
      const parent = await fx.store.readTeam(root.team.id);
      expect(parent.tasks.find((task) => task.id === delegated)).toMatchObject({ status: 'done', risk: 'medium', delegated_to: child.team.id });
      expect(replayAuditTrail(await fx.audit(child.team.id), { now: fx.clock.now() })).toEqual(await fx.store.readTeam(child.team.id));
    });
  });

  describe('per-agent caps', () => {
    it('blocks a claim past the cap on claims, by either claim tool', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ profile: 'busy-cap' });
      const ann = await fx.addMember(t, 'ann');
      const [first, second] = [await fx.createTask(t.lead, { title: 'one' }), await fx.createTask(t.lead, { title: 'two' })];
      await fx.store.claimTask(ann.actor, { task_id: first }, LEASE);
      const { error } = await fx.expectHookBlocked('hook:builtin:caps.claims', () => fx.store.claimTask(ann.actor, { task_id: second }, LEASE));
      expect(error.message).toContain('agent ann reached its cap of 1 claims (profile busy-cap, caps.claims: 1 used)');
      await fx.expectHookBlocked('hook:builtin:caps.claims', () => fx.store.claimNextTask(ann.actor, LEASE));
      // Another agent has its own count.
      expect((await fx.store.claimTask(t.lead, { task_id: second }, LEASE)).task.id).toBe(second);
    });

    it('blocks a claim once the agent reported as many turns as the cap', async () => {
      const fx = fixture();
      const t = await fx.startTeam({ profile: 'busy-cap' });
      const ann = await fx.addMember(t, 'ann');
      await fx.createTask(t.lead, { title: 'one' });
      for (let turn = 0; turn < 2; turn += 1) await fx.store.readInbox(ann.actor, { ack: [], usage: { input_tokens: 1, output_tokens: 1 } });
      await fx.expectHookBlocked('hook:builtin:caps.turns', () => fx.store.claimNextTask(ann.actor, LEASE));
    });
  });

  describe('blocks by command hooks', () => {
    it('records a block as one hook.block event carrying every run, and nothing else', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const { taskId } = await heldTask(fx, t, ann.actor, 'low');
      const { event } = await fx.expectHookBlocked('hook:hooks-file:lint', () =>
        fx.store.recordHookBlock({ teamId: t.team.id, agentId: ann.agentId, tool: 'team_task_complete', subjectId: taskId, outcome: commandBlock() }),
      );
      expect(event.reason).toBe('PreTaskComplete blocked: hooks-file:lint: lint failed');
      expect(event.data['runs']).toEqual([
        { hook: 'hooks-file:fmt', kind: 'command', decision: 'allow', reason: 'allowed', failure: null, duration_ms: 7, exit_status: 0, output_sha256: 'b'.repeat(64) },
        { hook: 'hooks-file:lint', kind: 'command', decision: 'block', reason: 'lint failed', failure: null, duration_ms: 41, exit_status: 2, output_sha256: 'a'.repeat(64) },
      ]);
    });
  });
}
