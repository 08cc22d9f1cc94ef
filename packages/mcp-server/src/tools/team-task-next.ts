import type { ToolRegistry } from '../tool-registry';

/**
 * team_task_next: claims the first ready task in claim order for the caller's role, among the kinds
 * of task its permissions allow, with the lease of the team's profile. A team that is ready to
 * finalize (early stop) answers no claim with the reason, so a teammate's loop ends; a spent budget
 * refuses with LIMIT_EXCEEDED. The store audits both.
 */
export function registerTeamTaskNext(registry: ToolRegistry): void {
  registry.registerBound('team_task_next', (_input, ctx) =>
    ctx.store.claimNextTask(ctx.actor, { leaseMs: ctx.policy.leaseMsFor(ctx.bound.team), permission: ctx.permission }),
  );
}
