import { teamRef } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/** team_finalize (lead): closes the team, refusing while tasks are unfinished unless forced. */
export function registerTeamFinalize(registry: ToolRegistry): void {
  registry.registerBound('team_finalize', async (input, { store, actor }) => {
    const finalized = await store.finalizeTeam(actor, input);
    return { team: teamRef(finalized.team), cancelled_task_ids: finalized.cancelled_task_ids };
  });
}
