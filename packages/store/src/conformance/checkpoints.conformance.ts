import { CHECKPOINT_ARTIFACT, CHECKPOINT_FORMAT } from '@codex-team/contracts';
import { replayAuditTrail } from '../audit-replay';
import { verifyCheckpoints } from '../checkpoint-verify';
import { stateDigest } from '../state-digest';
import type { StoredCheckpoint } from '../team-store';
import { complete, publish, send, type Fixture, type TeamHandle } from './harness.conformance';

const LEASE = { leaseMs: 60_000 };

/** Some work: a claim completed with an artifact, a message, an ack and a claim still in flight. */
async function work(fx: Fixture, t: TeamHandle): Promise<{ held: string }> {
  const ann = await fx.addMember(t, `ann${Math.floor(fx.clock.now() / 1_000)}`);
  const a = await fx.createTask(t.lead, { title: 'spec' });
  const b = await fx.createTask(t.lead, { title: 'build' });
  const claim = await fx.store.claimTask(ann.actor, { task_id: a }, LEASE);
  const notes = await fx.store.publishArtifact(ann.actor, publish(`notes-${a}`, '# spec', { task_id: a, fence: claim.fence }));
  await fx.store.completeTask(ann.actor, complete(a, claim.fence, { result: 'spec written\nsecond line', artifact_ids: [notes.id] }));
  const sent = await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'spec is up'));
  await fx.store.readInbox(t.lead, { ack: [sent.message.id] });
  await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'starting the build'));
  await fx.store.claimTask(ann.actor, { task_id: b }, LEASE);
  fx.clock.advance(1_000);
  return { held: b };
}

async function stored(fx: Fixture, teamId: string): Promise<StoredCheckpoint[]> {
  const refs = await fx.store.listCheckpoints(teamId as TeamHandle['team']['id']);
  const all: StoredCheckpoint[] = [];
  for (const ref of refs) {
    const one = await fx.store.readCheckpoint(teamId as TeamHandle['team']['id'], ref.number);
    if (one === null) throw new Error(`checkpoint ${ref.number} listed but not readable`);
    all.push(one);
  }
  return all;
}

export function describeCheckpointRules(fixture: () => Fixture): void {
  describe('checkpoints', () => {
    it('hold the state replay gives, with a checksummed archive of the events before them, and replay from them gives the same state', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const { held } = await work(fx, t);
      const before = await fx.audit(t.team.id);
      const first = await fx.store.checkpointTeam(t.team.id, { actor: t.lead });
      const last = before[before.length - 1];
      expect(first).toEqual({
        created: true,
        checkpoint: {
          number: 1,
          format: CHECKPOINT_FORMAT,
          upto_seq: last?.seq,
          events: before.length,
          state_digest: stateDigest(replayAuditTrail(before)),
          archive: { from_seq: before[0]?.seq, to_seq: last?.seq, events: before.length, sha256: expect.stringMatching(/^[a-f0-9]{64}$/) },
          artifact_id: expect.stringMatching(/^af_/),
        },
      });
      // One event, carrying the compact view's artifact row; the events before it are all kept.
      const after = await fx.audit(t.team.id);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.slice(before.length).map((event) => [event.action, event.actor_agent_id, event.subject_id])).toEqual([
        ['team.checkpoint', t.lead.agentId, first?.checkpoint.artifact_id],
      ]);
      // The compact view: open work with owners and fences, finished work in one line with its artifacts, unread counts.
      const view = JSON.parse((await fx.store.readArtifact(t.lead, { name: CHECKPOINT_ARTIFACT })).content) as Record<string, unknown>;
      expect(view).toMatchObject({
        kind: 'codex-team checkpoint',
        number: 1,
        upto_seq: last?.seq,
        tasks: { done: 1, in_progress: 1 },
        open: [expect.objectContaining({ id: held, status: 'in_progress', owner_agent_id: expect.stringMatching(/^ag_/), fence: 1, lease_expires_at: expect.any(String) })],
        finished: [expect.stringMatching(/^tk_\S+ done: spec — spec written \[af_\S+\]$/)],
        unread: { [t.lead.agentId]: 1 },
      });
      // Nothing happened since: the latest checkpoint is answered, none is written.
      expect(await fx.store.checkpointTeam(t.team.id, { actor: t.lead })).toEqual({ created: false, checkpoint: first?.checkpoint });
      expect(await fx.store.listCheckpoints(t.team.id)).toHaveLength(1);

      await work(fx, t);
      const second = await fx.store.checkpointTeam(t.team.id, {});
      expect(second?.checkpoint).toMatchObject({ number: 2, archive: { from_seq: (first?.checkpoint.upto_seq ?? 0) + 1 } });
      await fx.store.sendMessage(t.lead, send('*', 'after the checkpoint'));
      const events = await fx.audit(t.team.id);
      const verdict = verifyCheckpoints(events, await stored(fx, t.team.id));
      expect(verdict).toMatchObject({ ok: true, events: events.length, from_checkpoint: { number: 2, later_events: 2 } }); // its own event and the message
      expect(verdict.checkpoints.map((c) => [c.number, c.state_checksum_ok, c.archive_ok, c.state_ok])).toEqual([
        [1, true, true, true],
        [2, true, true, true],
      ]);
      expect(verdict.from_checkpoint?.digest).toBe(verdict.full_digest);
      expect(verdict.full_digest).toBe(stateDigest(await fx.store.readTeam(t.team.id)));
    });

    it('write nothing when the latest checkpoint moved since the decision (the sweep compare-and-set)', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await work(fx, t);
      await fx.store.checkpointTeam(t.team.id, { expectUptoSeq: 0 });
      await fx.store.sendMessage(t.lead, send('*', 'more'));
      expect(await fx.store.checkpointTeam(t.team.id, { expectUptoSeq: 0 })).toBeNull();
      expect((await fx.store.listCheckpoints(t.team.id)).map((c) => c.number)).toEqual([1]);
    });

    it("are the lead's: a teammate is refused, a finalized team too, and agents may not publish under the checkpoints' name", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      await fx.expectRefused('DENIED', () => fx.store.checkpointTeam(t.team.id, { actor: ann.actor }));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.publishArtifact(ann.actor, publish(CHECKPOINT_ARTIFACT, '{}')));
      await fx.store.finalizeTeam(t.lead, { summary: 'done', force: false });
      await fx.expectRefused('TEAM_FINALIZED', () => fx.store.checkpointTeam(t.team.id, { actor: t.lead }));
    });

    it("let the brief point at the latest one and a sweep write one once the profile's interval of events passed", async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      await work(fx, t);
      const view = await fx.store.recoveryView({ teamId: t.team.id });
      expect(view.teams[0]?.checkpoint).toEqual({ uptoSeq: 0, eventsSince: (await fx.audit(t.team.id)).length });
      const applied = await fx.store.applyRecovery({
        steps: [{ kind: 'checkpoint_team', teamId: t.team.id, expect: { uptoSeq: 0 }, rule: 'checkpoint.every_events', reason: 'due' }],
      });
      expect(applied.applied.map((step) => step.outcome)).toEqual(['checkpoint 1']);
      expect(applied.notices).toEqual([]);
      const brief = await fx.store.readBrief(t.lead);
      expect(brief.checkpoint).toMatchObject({ number: 1 });
      // The same decision again changes nothing: the compare-and-set sees the new checkpoint.
      const again = await fx.store.applyRecovery({
        steps: [{ kind: 'checkpoint_team', teamId: t.team.id, expect: { uptoSeq: 0 }, rule: 'checkpoint.every_events', reason: 'due' }],
      });
      expect(again.skipped).toHaveLength(1);
    });
  });
}
