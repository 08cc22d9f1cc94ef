import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_claim: claims one ready task by id, with the lease of the team's profile, if the
 * caller's permissions allow that kind of task (the store applies them, knowing the task).
 */
export function registerTeamTaskClaim(registry: ToolRegistry): void {
  registry.registerBound('team_task_claim', (input, ctx) =>
    ctx.store.claimTask(ctx.actor, input, { leaseMs: ctx.policy.leaseMsFor(ctx.bound.team), permission: ctx.permission }),
  );
}
