import { briefOf } from '../brief';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_brief: the caller's brief, to carry on in a fresh context (after Codex compacted this
 * thread's, or on a new thread): its role, claims with fences and leases, unread messages (never
 * acked here), the team in a few lines and what to read next. A read.
 */
export function registerTeamBrief(registry: ToolRegistry): void {
  registry.registerBound('team_brief', async (_input, { store, actor, policy }) => ({
    brief: await briefOf(store, actor, (team) => policy.profileOf(team)),
  }));
}
