import type { ToolRegistry } from '../tool-registry';

/**
 * team_policy_set_profile (lead): switches the team to another profile. The team row names its
 * profile, and every decision of every server process reads it, so the switch applies from the
 * next decision on, without restart. Audited as `policy.switch` with the changes it makes.
 */
export function registerTeamPolicySetProfile(registry: ToolRegistry): void {
  registry.registerBound('team_policy_set_profile', async (input, { store, actor }) => {
    const switched = await store.setProfile(actor, { profile: input.profile });
    return { team: switched.team, previous_profile: switched.previous_profile, changes: switched.changes };
  });
}
