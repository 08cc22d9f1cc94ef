import { artifactRow } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/** team_artifact_publish: a new version of a named artifact. */
export function registerTeamArtifactPublish(registry: ToolRegistry): void {
  registry.registerBound('team_artifact_publish', async (input, { store, actor }) => ({
    artifact: artifactRow(await store.publishArtifact(actor, input)),
  }));
}
