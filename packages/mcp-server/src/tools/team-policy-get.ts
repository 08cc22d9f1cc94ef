import type { ToolRegistry } from '../tool-registry';

/** team_policy_get: the team's current profile in full, the effective lease, and every profile available. */
export function registerTeamPolicyGet(registry: ToolRegistry): void {
  registry.registerBound('team_policy_get', (_input, { bound, policy }) => {
    const current = policy.profiles.find(bound.team.profile);
    return Promise.resolve({
      profile: current.profile,
      origin: current.origin,
      lease_ms: policy.leaseMsFor(bound.team),
      available: [...policy.profiles.profiles.values()].map((loaded) => ({
        name: loaded.profile.name,
        description: loaded.profile.description,
        origin: loaded.origin,
      })),
    });
  });
}
