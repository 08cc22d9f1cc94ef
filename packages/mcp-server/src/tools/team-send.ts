import { LIMITS } from '@codex-team/contracts';
import { assertMessageBody } from '@codex-team/policy-engine';
import { auditingRefusals } from '../policy-env';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_send: a direct message or a broadcast; a retried idempotency key is stored once. Bodies over
 * the team profile's messages.body_max_bytes are refused (and the refusal audited) with a hint to
 * publish an artifact and reference it; bodies over the contract limit are refused by the store.
 */
export function registerTeamSend(registry: ToolRegistry): void {
  registry.registerBound('team_send', (input, ctx) =>
    auditingRefusals(ctx, 'team_send', null, async () => {
      const bytes = Buffer.byteLength(input.body, 'utf8');
      if (bytes <= LIMITS.messageBodyMaxBytes) assertMessageBody(ctx.policy.profileOf(ctx.bound.team), bytes);
      return ctx.store.sendMessage(ctx.actor, input);
    }),
  );
}
