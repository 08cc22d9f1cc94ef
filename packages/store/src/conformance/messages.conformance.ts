import { LIMITS } from '@codex-team/contracts';
import type { Fixture } from './harness.conformance';
import { publish, send } from './harness.conformance';

/** Direct and broadcast messages, idempotent sends and the inbox. */
export function describeMessageRules(fixture: () => Fixture): void {
  describe('messages', () => {
    it('delivers direct messages and broadcasts to others, oldest first, until acked', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bob = await fx.addMember(t, 'bob');
      const direct = await fx.store.sendMessage(t.lead, send(ann.agentId, 'for ann'));
      fx.clock.advance(1);
      const broadcast = await fx.store.sendMessage(bob.actor, send('*', 'for everyone'));
      expect(direct).toEqual({
        message: expect.objectContaining({ from_agent_id: t.lead.agentId, to_agent_id: ann.agentId, body: 'for ann' }),
        duplicate: false,
      });
      expect(broadcast.message.to_agent_id).toBeNull();

      const annInbox = await fx.expectNoChange(() => fx.store.readInbox(ann.actor, { ack: [] }));
      expect(annInbox.messages.map((m) => m.body)).toEqual(['for ann', 'for everyone']);
      expect(annInbox.remaining).toBe(0);
      const bobInbox = await fx.store.readInbox(bob.actor, { ack: [] });
      expect(bobInbox.messages).toEqual([]);
      const page = await fx.store.readInbox(ann.actor, { ack: [], limit: 1 });
      expect(page).toEqual({ messages: [expect.objectContaining({ id: direct.message.id })], acked: 0, remaining: 1 });

      const acked = await fx.store.readInbox(ann.actor, { ack: [direct.message.id] });
      expect(acked).toEqual({ messages: [expect.objectContaining({ id: broadcast.message.id })], acked: 1, remaining: 0 });
      const again = await fx.store.readInbox(ann.actor, { ack: [direct.message.id, broadcast.message.id] });
      expect(again).toEqual({ messages: [], acked: 1, remaining: 0 });
      // Re-acking an acked message is a no-op: no event.
      await fx.expectNoChange(() => fx.store.readInbox(ann.actor, { ack: [direct.message.id] }));
      const ackEvents = (await fx.audit(t.team.id)).filter((e) => e.action === 'message.ack');
      expect(ackEvents.map((e) => e.data['message_ids'])).toEqual([[direct.message.id], [broadcast.message.id]]);
      expect((await fx.store.getStatus(ann.actor)).unread_messages).toBe(0);
      expect((await fx.store.getStatus(t.lead)).unread_messages).toBe(1);
    });

    it('refuses acks of messages not addressed to the caller', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const bob = await fx.addMember(t, 'bob');
      const toBob = await fx.store.sendMessage(t.lead, send(bob.agentId, 'private'));
      const own = await fx.store.sendMessage(ann.actor, send('*', 'mine'));
      await fx.expectRefused('NOT_FOUND', () => fx.store.readInbox(ann.actor, { ack: [toBob.message.id] }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.readInbox(ann.actor, { ack: [own.message.id] }));
      await fx.expectRefused('NOT_FOUND', () => fx.store.readInbox(ann.actor, { ack: ['ms_zzzzzzzz'] }));
    });

    it('refuses bad recipients, oversized bodies and unknown artifacts', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const other = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const foreign = await fx.store.publishArtifact(other.lead, publish('x', 'y'));
      await fx.expectRefused('INVALID_INPUT', () => fx.store.sendMessage(ann.actor, send(ann.agentId, 'me')));
      await fx.expectRefused('NOT_FOUND', () => fx.store.sendMessage(ann.actor, send(other.lead.agentId, 'hi')));
      // Bytes of UTF-8, not characters: é takes two.
      const fits = 'é'.repeat(LIMITS.messageBodyMaxBytes / 2);
      await fx.store.sendMessage(ann.actor, send(t.lead.agentId, fits));
      await fx.expectRefused('PAYLOAD_TOO_LARGE', () => fx.store.sendMessage(ann.actor, send(t.lead.agentId, `${fits}a`)));
      await fx.expectRefused('NOT_FOUND', () =>
        fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'see', { artifact_refs: [foreign.id] })),
      );
    });

    it('stores a retried send with the same idempotency key once', async () => {
      const fx = fixture();
      const t = await fx.startTeam();
      const ann = await fx.addMember(t, 'ann');
      const first = await fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'done', { idempotency_key: 'k1' }));
      const retry = await fx.expectNoChange(() =>
        fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'done', { idempotency_key: 'k1' })),
      );
      expect(retry).toEqual({ message: first.message, duplicate: true });
      await fx.expectRefused('CONFLICT', () =>
        fx.store.sendMessage(ann.actor, send(t.lead.agentId, 'different', { idempotency_key: 'k1' })),
      );
      // Keys belong to their sender.
      const lead = await fx.store.sendMessage(t.lead, send(ann.agentId, 'done', { idempotency_key: 'k1' }));
      expect(lead.duplicate).toBe(false);
      expect((await fx.actions(t.team.id)).filter((a) => a === 'message.send')).toHaveLength(2);
    });
  });
}
