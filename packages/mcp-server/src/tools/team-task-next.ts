import { claimAnswer } from '../answers';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_next: claims the best ready task for the caller's role and permissions, or with
 * `task_id` that one task (refused with why when it is not ready, not the caller's to take, or
 * unknown). Either way one store transaction re-checks readiness, role, mode, permissions and the
 * thread cap, and sets owner, fence and lease.
 */
export function registerTeamTaskNext(registry: ToolRegistry): void {
  registry.registerBound('team_task_next', async (input, ctx) => {
    const options = { leaseMs: ctx.policy.leaseMsFor(ctx.bound.team), permission: ctx.permission };
    if (input.task_id !== undefined) {
      return { claim: claimAnswer(await ctx.store.claimTask(ctx.actor, { task_id: input.task_id }, options)), reason: null };
    }
    const next = await ctx.store.claimNextTask(ctx.actor, options);
    return {
      claim: next.claim === null ? null : claimAnswer(next.claim),
      reason: next.reason,
      ...(next.retire === undefined ? {} : { retire: next.retire }),
      ...(next.open === undefined ? {} : { open: next.open }),
    };
  });
}
