import type { SurfaceChoice } from './codex-thread-cap';

/** Codex 0.171's default `[agents] max_depth`: sub-agents of the root get no spawn tools. */
export const V1_DEFAULT_MAX_DEPTH = 1;

/** Who spawns a child team's teammates under the user's Codex config (docs/hierarchy.md). */
export interface ChildTeamSpawning {
  /** True when a child team's lead (a sub-agent) may spawn its own teammates. */
  childLeadSpawns: boolean;
  detail: string;
}

type Table = Record<string, unknown>;

function tableAt(doc: Table, key: string): Table {
  const value = doc[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : {};
}

const LEAD_SPAWNS = "the parent's lead spawns a child's teammates (team_spawn with team set to the child, then spawn_agent)";

/**
 * Which way of running a child team applies, from the user's (merged) Codex config. Checked with
 * Codex 0.171: under multi-agent v1 a sub-agent gets `spawn_agent` only with `[agents] max_depth`
 * of 2 or more; under v2 only the root spawns, whatever max_depth says. With the surface left to
 * the model's preset (`auto`, nothing pinned), plan for the lead spawning. Pure.
 */
export function childTeamSpawningOf(config: Table, surface: SurfaceChoice | 'either'): ChildTeamSpawning {
  const raw = tableAt(config, 'agents')['max_depth'];
  const maxDepth = typeof raw === 'number' && Number.isInteger(raw) ? raw : V1_DEFAULT_MAX_DEPTH;
  const depthText = raw === undefined ? `[agents] max_depth unset (default ${V1_DEFAULT_MAX_DEPTH})` : `[agents] max_depth ${maxDepth}`;
  if (surface === 'v2') return { childLeadSpawns: false, detail: `multi-agent v2: only the root spawns; ${LEAD_SPAWNS}` };
  if (surface === 'v1' && maxDepth >= 2) {
    return { childLeadSpawns: true, detail: `multi-agent v1 with ${depthText}: a child's lead spawns its own teammates` };
  }
  if (surface === 'v1') return { childLeadSpawns: false, detail: `multi-agent v1 with ${depthText}: only the root spawns; ${LEAD_SPAWNS}` };
  const v1 = maxDepth >= 2 ? `; under v1 (${depthText}) a child's lead could spawn its own` : '';
  return { childLeadSpawns: false, detail: `the model's preset may pick either surface, and under v2 only the root spawns: ${LEAD_SPAWNS}${v1}` };
}
