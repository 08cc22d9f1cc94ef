import { artifactRow } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/** team_artifact_list: the latest version of every artifact, or every version of one name. */
export function registerTeamArtifactList(registry: ToolRegistry): void {
  registry.registerBound('team_artifact_list', async (input, { store, actor }) => ({
    artifacts: (await store.listArtifacts(actor, input)).map(artifactRow),
  }));
}
