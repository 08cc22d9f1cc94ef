import { TeamError } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_plan: the author of a plan artifact submits it for approval (the lead gets a message); the
 * lead approves or rejects it with a reason (the author gets a message). Permissions decide who
 * may take which action; the store checks authorship and the lead again in its transaction.
 */
export function registerTeamPlan(registry: ToolRegistry): void {
  registry.registerBound('team_plan', async (input, { store, actor }) => {
    if (input.action === 'submit') return { plan: await store.submitPlan(actor, input.artifact_id) };
    if (input.reason === undefined) throw new TeamError('INVALID_INPUT', `${input.action} needs a reason`);
    return {
      plan: await store.reviewPlan(actor, { artifactId: input.artifact_id, approve: input.action === 'approve', reason: input.reason }),
    };
  });
}
