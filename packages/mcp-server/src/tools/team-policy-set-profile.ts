import { profileChanges } from '@codex-team/policy-engine';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_policy_set_profile (lead): switches the team to another profile. The team row names its
 * profile, and every decision of every server process reads it, so the switch applies from the
 * next decision on, without restart. Audited as `policy.switch` with the changes it makes.
 */
export function registerTeamPolicySetProfile(registry: ToolRegistry): void {
  registry.registerBound('team_policy_set_profile', async (input, { store, actor, bound, policy, logger }) => {
    const from = policy.profileOf(bound.team);
    const to = policy.profileNamed(input.profile);
    const changes = profileChanges(from, to);
    const reason =
      changes.length === 0
        ? `profile ${from.name} -> ${to.name}: no field changes`
        : `profile ${from.name} -> ${to.name}: ${changes.join('; ')}`;
    const switched = await store.setProfile(actor, { profile: to.name, reason });
    logger.info(
      { team_id: actor.teamId, rule: 'policy.switch', inputs: { from: from.name, to: to.name }, outcome: switched.changed ? 'switched' : 'unchanged', changes },
      'policy decision',
    );
    return { team: switched.team, previous_profile: switched.previous_profile, changes: switched.changed ? changes : [] };
  });
}
