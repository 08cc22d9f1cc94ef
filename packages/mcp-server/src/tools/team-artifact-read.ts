import { contentPage } from '../answers';
import type { ToolRegistry } from '../tool-registry';

/** team_artifact_read: one artifact version with its content. */
export function registerTeamArtifactRead(registry: ToolRegistry): void {
  registry.registerBound('team_artifact_read', async (input, { store, actor }) => {
    const { artifact, content } = await store.readArtifact(actor, input);
    return { artifact, ...contentPage(content, input.offset ?? 0) };
  });
}
