import { claimableTasks } from '../claimable-tasks';
import { auditingRefusals, refusalRule } from '../policy-env';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_next: claims the highest-priority ready task for the caller's role, among the kinds of
 * task its permissions allow, with the lease of the team's profile. A team that is ready to
 * finalize (early stop) answers no claim with the reason, so a teammate's loop ends; a spent budget
 * refuses with LIMIT_EXCEEDED. Both are audited.
 */
export function registerTeamTaskNext(registry: ToolRegistry): void {
  registry.registerBound('team_task_next', async (_input, ctx) => {
    try {
      return await auditingRefusals(ctx, 'team_task_next', null, () =>
        ctx.store.claimNextTask(ctx.actor, {
          leaseMs: ctx.policy.leaseMsFor(ctx.bound.team),
          claimable: claimableTasks(ctx.permission),
        }),
      );
    } catch (error) {
      if (refusalRule(error) !== 'guardrails.early_stop') throw error;
      const reason = (error as { details?: Record<string, unknown> }).details?.['reason'];
      return { claim: null, reason: `the team is ready to finalize, no new claims: ${String(reason)}` };
    }
  });
}
