import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, type BenchContext, type BenchGoal, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';
import { TOOL_SURFACE_BUDGET_BYTES, TOOL_SURFACE_RESERVED_BYTES, measureCodexToolSurface, type CodexToolSurface } from './codex-surface';

function perTool(label: string, surface: CodexToolSurface): BenchMeasurement[] {
  return [
    { name: `${label}: mcp__team namespace (every model turn of every agent)`, value: surface.bytes, unit: 'bytes' },
    { name: `${label}: tools`, value: surface.tools.length, unit: 'tools' },
    ...[...surface.tools].sort((a, b) => b.bytes - a.bytes).map((tool) => ({ name: `${label}: ${tool.name}`, value: tool.bytes, unit: 'bytes' })),
  ];
}

async function run(context: BenchContext): Promise<BenchReport> {
  const ours = await measureCodexToolSurface({ label: 'this build', args: [mcpServerBinPath()] }, context.workDir);
  context.progress(`this build: ${ours.bytes} bytes for ${ours.tools.length} tools`);
  const measurements = perTool('this build', ours);
  const goals: BenchGoal[] = [
    benchGoal('tool schemas Codex sends each turn, whole surface', ours.bytes, 'at_most', TOOL_SURFACE_BUDGET_BYTES, 'bytes'),
    benchGoal(
      `the same, leaving ${TOOL_SURFACE_RESERVED_BYTES} bytes for features in flight`,
      ours.bytes,
      'at_most',
      TOOL_SURFACE_BUDGET_BYTES - TOOL_SURFACE_RESERVED_BYTES,
      'bytes',
    ),
  ];
  if (context.baselineServer !== undefined) {
    const baseline = await measureCodexToolSurface({ label: 'baseline', args: [context.baselineServer] }, context.workDir);
    context.progress(`baseline: ${baseline.bytes} bytes for ${baseline.tools.length} tools`);
    measurements.push(...perTool('baseline', baseline));
    measurements.push({ name: 'this build / baseline', value: ours.bytes / baseline.bytes, unit: 'ratio' });
  }
  return { benchmark: 'tool-surface', measurements, goals };
}

/**
 * What every model turn of every agent carries of codex-team: the `mcp__team` namespace as a real
 * `codex exec` sends it to the model (names, descriptions, input schemas), in total and per tool,
 * for whatever tools the catalog has. Goal: the whole surface within TOOL_SURFACE_BUDGET_BYTES.
 * With --baseline-server, the same for another build and the ratio.
 */
export const toolSurfaceBenchmark: Benchmark = {
  name: 'tool-surface',
  summary: "bytes of tool schemas Codex sends the model each turn, per tool, against the 9,000-byte budget",
  run,
};
