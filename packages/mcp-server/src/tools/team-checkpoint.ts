import { TeamError } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_checkpoint (lead): checkpoints the team now (the sweep also does, every
 * checkpoint.every_events events of the profile): the state replay gives, compressed and
 * checksummed, its compact view published as artifact team-checkpoint, the events before it
 * sealed as a checksummed archive segment (kept, never deleted). One write transaction.
 */
export function registerTeamCheckpoint(registry: ToolRegistry): void {
  registry.registerBound('team_checkpoint', async (_input, { store, actor }) => {
    const written = await store.checkpointTeam(actor.teamId, { actor });
    // Only the sweep's compare-and-set can answer null; a call without one always gets a checkpoint.
    if (written === null) throw new TeamError('INTERNAL', 'the store answered no checkpoint to a call that asked for one');
    return written;
  });
}
