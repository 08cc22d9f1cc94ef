import { replayAuditTrail } from '../audit-replay';
import type { Fixture } from './harness.conformance';
import { LEASE, complete, newTasks, publish, send } from './harness.conformance';

/** readTeam, listTeams, and replaying the audit trail back to what readTeam shows. */
export function describeSnapshotRules(fixture: () => Fixture): void {
  describe('team snapshot and replay', () => {
    it('replays every kind of state change back to exactly what readTeam shows', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bob = await fx.addMember(t, 'bob', 'tester');
      const out = await fx.store.createTasks(t.lead, newTasks([{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }]));
      fx.clock.advance(1_000);
      const claim = await fx.store.claimNextTask(ann.actor, LEASE);
      const fence = claim.claim?.fence ?? 0;
      const taskId = claim.claim?.task.id ?? '';
      await fx.store.updateTask(ann.actor, { task_id: taskId, fence, progress: 'half' }, LEASE);
      const artifact = await fx.store.publishArtifact(ann.actor, publish('notes', 'n', { task_id: taskId, fence }));
      await fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [artifact.id], usage: { input_tokens: 7, output_tokens: 3 } }));
      const msg = await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'a done', { artifact_refs: [artifact.id] }));
      await fx.store.readInbox(t.lead, { ack: [msg.message.id] });
      await fx.store.setProfile(t.lead, { profile: 'fast' });
      await fx.store.recordDecision(t.team.id, {
        actorAgentId: t.lead.agentId,
        action: 'policy.fanout',
        decision: 'allow',
        reason: 'spawn nobody',
        data: { spawn: [] },
      });
      fx.clock.advance(1_000);
      const retired = await fx.store.applyRecovery({
        steps: [
          {
            kind: 'retire_agent',
            teamId: t.team.id,
            agentId: bob.agentId,
            expect: { state: 'active', epoch: bob.binding.epoch, lastSeenAt: Date.parse((await fx.store.verifyBinding(bob.binding)).agent.last_seen_at ?? '') },
            rule: 'idle.retire_idle_agents',
            reason: 'quiet',
          },
        ],
      });
      expect(retired.applied).toHaveLength(1);
      await fx.store.sendMessage(t.lead, send('*', 'done here', { consensus: true }));
      await fx.store.updateTask(t.lead, { task_id: out.tasks[1]?.id ?? '', priority: 2 }, LEASE);
      await fx.store.disconnectAgent(ann.binding, 'stdin closed');
      await fx.store.finalizeTeam(t.lead, { summary: 'shipped', force: true });

      const snapshot = await fx.expectNoChange(() => fx.store.readTeam(t.team.id));
      expect(snapshot.team).toMatchObject({ state: 'finalized', profile: 'fast' });
      expect(snapshot.acks).toEqual([{ message_id: msg.message.id, agent_id: t.lead.agentId, acked_at: expect.any(String) }]);
      expect(snapshot.usage).toHaveLength(1);
      expect(Object.keys(snapshot.idle_since)).toHaveLength(1);
      expect(snapshot.consensus_at).not.toBeNull();
      expect(snapshot.messages.map((m) => m.body)).toEqual(['a done', 'done here']);
      expect(replayAuditTrail(await fx.audit(t.team.id))).toEqual(snapshot);
    });

    it("keeps teams apart and lists them newest first; an unknown team is NOT_FOUND", async () => {
      const fx = fixture();
      const a = await fx.startTeam({ name: 'older' });
      fx.clock.advance(1_000);
      const b = await fx.startTeam({ name: 'newer' });
      await fx.createTask(b.lead, { title: 'only in b' });
      expect((await fx.store.listTeams()).map((team) => team.name)).toEqual(['newer', 'older']);
      expect((await fx.store.readTeam(a.team.id)).tasks).toEqual([]);
      expect((await fx.store.readTeam(b.team.id)).tasks.map((task) => task.title)).toEqual(['only in b']);
      await fx.expectRefused('NOT_FOUND', () => fx.store.readTeam('tm_zzzzzzzz'));
    });
  });
}
