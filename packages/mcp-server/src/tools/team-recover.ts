import { recoveryActionOf } from '@codex-team/recovery';
import type { ToolRegistry } from '../tool-registry';

/** team_recover (lead): runs a recovery sweep of the caller's team now and says what it did. */
export function registerTeamRecover(registry: ToolRegistry): void {
  registry.registerBound('team_recover', async (_input, { sweeper, actor }) => {
    const report = await sweeper.sweep({ teamId: actor.teamId });
    return {
      actions: report.applied.map(({ step, outcome }) => ({
        ...recoveryActionOf(step),
        outcome,
        reason: step.reason,
      })),
      notified_lead: report.notices.length > 0,
    };
  });
}
