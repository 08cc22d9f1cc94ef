import type { AuditEvent } from '@codex-team/contracts';
import type { Fixture } from './harness.conformance';
import { LEASE, complete, newTasks, publish, send } from './harness.conformance';

function rowsOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  return value === undefined ? [] : [value as Record<string, unknown>];
}

/** Folds events into the latest row of every entity they carry: what a replay rebuilds. */
function replay(events: readonly AuditEvent[]): Record<string, Map<string, unknown>> {
  const state: Record<string, Map<string, unknown>> = {
    team: new Map(),
    agent: new Map(),
    task: new Map(),
    message: new Map(),
    artifact: new Map(),
  };
  const into = (kind: string, rows: Record<string, unknown>[]) => {
    for (const row of rows) state[kind]?.set(String(row['id']), row);
  };
  for (const event of events) {
    for (const kind of ['team', 'agent', 'task', 'message', 'artifact']) into(kind, rowsOf(event.data[kind]));
    into('task', rowsOf(event.data['unblocked_tasks']));
    into('task', rowsOf(event.data['cancelled_tasks']));
  }
  return state;
}

/** One audit event per state change, none for reads or refusals, and a replayable trail. */
export function describeAuditRules(fixture: () => Fixture): void {
  describe('audit trail', () => {
    it('writes one event per state change, with actor, decision and reason, and replays to the state', async () => {
      const fx = fixture();
      const t = await fx.startTeam(); // 1
      const ann = await fx.addMember(t, 'ann'); // 2, 3
      const out = await fx.store.createTasks(
        t.lead,
        newTasks([{ key: 'a', title: 'a' }, { key: 'b', title: 'b', depends_on: ['a'] }, { title: 'c', depends_on: ['b'] }]),
      ); // 4, 5, 6
      const claim = await fx.store.claimNextTask(ann.actor, LEASE); // 7
      const taskId = claim.claim?.task.id ?? '';
      const fence = claim.claim?.fence ?? 0;
      await fx.store.updateTask(ann.actor, { task_id: taskId, fence, progress: 'going' }, LEASE); // 8
      const body = 'ARTIFACT-BODY-7f3a';
      const artifact = await fx.store.publishArtifact(ann.actor, publish('out', body, { task_id: taskId, fence })); // 9
      await fx.store.completeTask(ann.actor, complete(taskId, fence, { artifact_ids: [artifact.id] })); // 10
      const msg = await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'a is done')); // 11
      await fx.store.readInbox(t.lead, { ack: [msg.message.id] }); // 12
      await fx.store.updateTask(t.lead, { task_id: out.tasks[2]?.id ?? '', priority: 3 }, LEASE); // 13
      await fx.store.disconnectAgent(ann.binding, 'stdin closed'); // 14
      await fx.store.resumeAgent({ resumeTicketHash: ann.resumeHash, nextResumeTicketHash: fx.ticket('resume') }); // 15
      await fx.store.finalizeTeam(t.lead, { summary: 'enough', force: true }); // 16

      const events = await fx.audit(t.team.id);
      expect(events.map((e) => e.action)).toEqual([
        'team.start',
        'agent.spawn',
        'agent.join',
        'task.create',
        'task.create',
        'task.create',
        'task.claim',
        'task.progress',
        'artifact.publish',
        'task.complete',
        'message.send',
        'message.ack',
        'task.edit',
        'agent.disconnect',
        'agent.resume',
        'team.finalize',
      ]);
      const seqs = events.map((e) => e.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      for (const event of events) {
        expect(event.team_id).toBe(t.team.id);
        expect(event.decision).toBe('allow');
        expect(event.actor_agent_id).not.toBeNull();
        expect(event.reason.length).toBeGreaterThan(0);
      }
      const trail = JSON.stringify(events);
      expect(trail).not.toMatch(/(join|resume)-hash-/);
      expect(trail).not.toContain(body);

      const state = replay(events);
      const status = await fx.store.getStatus(t.lead);
      const tasks = await fx.store.listTasks(t.lead, { limit: 500 });
      expect([...(state['team']?.values() ?? [])]).toEqual([status.team]);
      expect([...(state['agent']?.values() ?? [])]).toEqual(status.agents);
      expect([...(state['task']?.values() ?? [])]).toEqual(tasks.tasks);
      expect([...(state['artifact']?.values() ?? [])]).toEqual(await fx.store.listArtifacts(t.lead, {}));
    });

    it('writes nothing for reads', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'a' });
      const artifact = await fx.store.publishArtifact(t.lead, publish('x', 'y'));
      await fx.store.sendMessage(t.lead, send(ann.agentId, 'hi'));
      await fx.expectNoChange(async () => {
        await fx.store.getStatus(ann.actor);
        await fx.store.listTasks(ann.actor, { status: ['ready'] });
        await fx.store.readInbox(ann.actor, { ack: [] });
        await fx.store.readArtifact(ann.actor, { artifact_id: artifact.id });
        await fx.store.listArtifacts(ann.actor, { name: 'x' });
        await fx.store.verifyBinding(ann.binding);
        await fx.store.listAuditEvents(t.team.id, { afterSeq: 1, limit: 2 });
        return id;
      });
      const page = await fx.store.listAuditEvents(t.team.id, { afterSeq: 1, limit: 2 });
      expect(page.map((e) => e.seq)).toHaveLength(2);
      expect(page[0]?.seq).toBeGreaterThan(1);
    });
  });
}
