import { createHash } from 'node:crypto';
import { LIMITS } from '@codex-team/contracts';
import type { Fixture } from './harness.conformance';
import { LEASE, publish } from './harness.conformance';

/** Versioned artifacts. */
export function describeArtifactRules(fixture: () => Fixture): void {
  describe('artifacts', () => {
    it('publishes versions with sha256 and byte size, and reads them by id or name', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const v1 = await fx.store.publishArtifact(t.lead, publish('plan.md', 'first ✓', { media_type: 'text/markdown' }));
      const v2 = await fx.store.publishArtifact(t.lead, publish('plan.md', 'second'));
      const other = await fx.store.publishArtifact(t.lead, publish('notes', 'n'));
      expect(v1).toMatchObject({
        name: 'plan.md',
        version: 1,
        media_type: 'text/markdown',
        size_bytes: Buffer.byteLength('first ✓'),
        sha256: createHash('sha256').update('first ✓').digest('hex'),
        published_by: t.lead.agentId,
        task_id: null,
      });
      expect(v2.version).toBe(2);
      expect(await fx.store.readArtifact(t.lead, { artifact_id: v1.id })).toEqual({ artifact: v1, content: 'first ✓' });
      expect(await fx.store.readArtifact(t.lead, { name: 'plan.md' })).toEqual({ artifact: v2, content: 'second' });
      const pinned = await fx.store.readArtifact(t.lead, { name: 'plan.md', version: 1 });
      expect(pinned).toEqual({ artifact: v1, content: 'first ✓' });
      expect(await fx.store.listArtifacts(t.lead, {})).toEqual([other, v2]);
      expect(await fx.store.listArtifacts(t.lead, { name: 'plan.md' })).toEqual([v1, v2]);

      const events = (await fx.audit(t.team.id)).filter((e) => e.action === 'artifact.publish');
      expect(events.map((e) => e.data['artifact'])).toEqual([v1, v2, other]);
      expect(JSON.stringify(events)).not.toContain('first ✓');
    });

    it('refuses ambiguous or unknown reads and oversized content', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const other = await fx.startTeam();
      const theirs = await fx.store.publishArtifact(other.lead, publish('theirs', 'x'));
      await fx.store.publishArtifact(t.lead, publish('ours', 'y'));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.readArtifact(t.lead, {}));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.readArtifact(t.lead, { artifact_id: theirs.id, name: 'ours' }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.readArtifact(t.lead, { artifact_id: theirs.id }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.readArtifact(t.lead, { name: 'theirs' }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.readArtifact(t.lead, { name: 'ours', version: 2 }));
      await fx.expectRefused('PAYLOAD_TOO_LARGE', () =>
        fx.store.publishArtifact(t.lead, publish('big', 'x'.repeat(LIMITS.artifactMaxBytes + 1))),
      );
    });

    it('ties an artifact to a task only for the holder of its live claim', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const id = await fx.createTask(t.lead, { title: 'job' });
      await fx.expectRefused('STALE_CLAIM', () =>
        fx.store.publishArtifact(ann.actor, publish('r', 'x', { task_id: id, fence: 0 })),
      );
      const claim = await fx.store.claimTask(ann.actor, { task_id: id }, LEASE);
      await fx.expectRefused('STALE_CLAIM', () => fx.store.publishArtifact(ann.actor, publish('r', 'x', { task_id: id })));
      await fx.expectRefused('STALE_CLAIM', () =>
        fx.store.publishArtifact(t.lead, publish('r', 'x', { task_id: id, fence: claim.fence })),
      );
      await fx.expectRefused('NOT_FOUND', () =>
        fx.store.publishArtifact(ann.actor, publish('r', 'x', { task_id: 'tk_zzzzzzzz', fence: 1 })),
      );
      const tied = await fx.store.publishArtifact(ann.actor, publish('r', 'x', { task_id: id, fence: claim.fence }));
      expect(tied.task_id).toBe(id);
    });
  });
}
