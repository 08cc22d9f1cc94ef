import type { ToolRegistry } from '../tool-registry';

/** team_artifact_read: one artifact version with its content. */
export function registerTeamArtifactRead(registry: ToolRegistry): void {
  registry.registerBound('team_artifact_read', (input, { store, actor }) => store.readArtifact(actor, input));
}
