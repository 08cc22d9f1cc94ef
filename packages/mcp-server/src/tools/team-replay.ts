import { redactDeep } from '@codex-team/policy-engine';
import type { ToolRegistry } from '../tool-registry';

const DEFAULT_PAGE = 200;

/**
 * team_replay (lead): the team's audit events in commit order, paged by seq; with `log:
 * "decisions"`, the authorization decision of every call of the team instead, in the order they
 * were made. Secrets are masked on the way out as well, whatever the profile let into the store.
 */
export function registerTeamReplay(registry: ToolRegistry): void {
  registry.registerBound('team_replay', async (input, { store, actor }) => {
    const limit = input.limit ?? DEFAULT_PAGE;
    if (input.log === 'decisions') {
      const page = await store.listAuthzDecisions({ teamId: actor.teamId, afterSeq: input.after_seq ?? 0, limit: limit + 1 });
      const decisions = redactDeep(page.slice(0, limit)).value;
      return { events: [], decisions, next_after_seq: page.length > limit ? (decisions.at(-1)?.seq ?? null) : null };
    }
    const page = await store.listAuditEvents(actor.teamId, { afterSeq: input.after_seq ?? 0, limit: limit + 1 });
    const events = redactDeep(page.slice(0, limit)).value;
    return { events, next_after_seq: page.length > limit ? (events.at(-1)?.seq ?? null) : null };
  });
}
