import type { ToolRegistry } from '../tool-registry';

/**
 * team_policy. Without `profile`: the team's current profile in full, the effective lease and every
 * profile available. With `profile` (the lead's): a switch in one store transaction (one
 * `policy.switch` event naming what changed), answered with the new profile, the one before and
 * the changes; it applies to the next decision of every process.
 */
export function registerTeamPolicy(registry: ToolRegistry): void {
  registry.registerBound('team_policy', async (input, { store, actor, bound, policy }) => {
    if (input.profile !== undefined) {
      const switched = await store.setProfile(actor, { profile: input.profile });
      const now = policy.profiles.find(switched.team.profile);
      return {
        profile: now.profile,
        origin: now.origin,
        lease_ms: policy.leaseMsFor(switched.team),
        previous_profile: switched.previous_profile,
        changes: switched.changes,
      };
    }
    const current = policy.profiles.find(bound.team.profile);
    return {
      profile: current.profile,
      origin: current.origin,
      lease_ms: policy.leaseMsFor(bound.team),
      available: [...policy.profiles.profiles.values()].map((loaded) => ({
        name: loaded.profile.name,
        description: loaded.profile.description,
        origin: loaded.origin,
      })),
    };
  });
}
