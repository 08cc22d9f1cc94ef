import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_NAMES } from '@codex-team/contracts';
import { TOOL_SURFACE_BUDGET_BYTES, TOOL_SURFACE_RESERVED_BYTES, measureCodexToolSurface } from '../bench/codex-surface';
import { mcpServerBinPath } from '../codex/package-assets';

// What every model turn of every agent carries of codex-team is what Codex puts in its request, not
// what our server lists: measured here through a real `codex exec` against a scripted model, the
// built server registered as [mcp_servers.team].
describe('the tool schemas Codex sends the model each turn (real codex exec, built server)', () => {
  let workDir: string;
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'tool-surface-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it(`stay within ${TOOL_SURFACE_BUDGET_BYTES} bytes for the whole surface, ${TOOL_SURFACE_RESERVED_BYTES} of them kept for features in flight`, async () => {
    const surface = await measureCodexToolSurface({ label: 'budget', args: [mcpServerBinPath()] }, workDir);
    // Every tool of the catalog is there, as Codex renders it: a function with its input schema
    // as `parameters` (no output schema reaches the model).
    expect(surface.tools.map((tool) => tool.name).sort()).toEqual([...TOOL_NAMES].sort());
    const tools = surface.namespace['tools'] as Record<string, unknown>[];
    for (const tool of tools) {
      expect(Object.keys(tool).sort()).toEqual(['description', 'name', 'parameters', 'strict', 'type']);
    }
    expect(surface.bytes).toBeGreaterThan(surface.tools.reduce((sum, tool) => sum + tool.bytes, 0));
    expect(surface.bytes).toBeLessThanOrEqual(TOOL_SURFACE_BUDGET_BYTES - TOOL_SURFACE_RESERVED_BYTES);
  }, 120_000);
});
