import { TeamError } from '@codex-team/contracts';
import type { CodexThreadCap } from '@codex-team/policy-engine';

/** Codex's multi-agent surfaces: v1 (`multi_agent_v1` tools) and v2 (`collaboration` tools). */
export type MultiAgentSurface = 'v1' | 'v2';

/** Which surface to plan for: one the user pinned (`install --multi-agent`), or `auto`. */
export type SurfaceChoice = MultiAgentSurface | 'auto';

/** Codex 0.171's defaults, measured (docs/codex.md): v1 lets the root spawn 6, v2 3. */
export const V1_DEFAULT_MAX_THREADS = 6;
export const V2_DEFAULT_THREADS_PER_SESSION = 4;

/** Codex's cap as read from its config: the teammate count, where it came from, and which surface. */
export interface CodexCapReading extends CodexThreadCap {
  /** The surface the cap was planned for; `either` when the config does not settle it. */
  surface: MultiAgentSurface | 'either';
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function tableAt(doc: Table, key: string): Table {
  const value = doc[key];
  return isTable(value) ? value : {};
}

function wholeAt(table: Table, key: string, where: string): number | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TeamError('INVALID_INPUT', `${where} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Merges Codex config layers (lowest precedence first) the way Codex does: tables merge, values replace. */
export function mergeCodexConfigs(layers: readonly Table[]): Table {
  const merged: Table = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const current = merged[key];
      merged[key] = isTable(current) && isTable(value) ? mergeCodexConfigs([current, value]) : value;
    }
  }
  return merged;
}

function v1Cap(agents: Table): CodexThreadCap {
  const maxThreads = wholeAt(agents, 'max_threads', '[agents] max_threads');
  return maxThreads === undefined
    ? { teammates: V1_DEFAULT_MAX_THREADS, from: `multi-agent v1 default: ${V1_DEFAULT_MAX_THREADS} threads` }
    : { teammates: maxThreads, from: `multi-agent v1 [agents] max_threads ${maxThreads}` };
}

/**
 * Codex 0.171 under v2 (measured): `[features.multi_agent_v2] max_concurrent_threads_per_session`
 * counts the root; without it, `[agents] max_threads` caps the teammates; without both, 4 per
 * session, so 3 teammates.
 */
function v2Cap(v2: Table, agents: Table): CodexThreadCap {
  const perSession = wholeAt(v2, 'max_concurrent_threads_per_session', '[features.multi_agent_v2] max_concurrent_threads_per_session');
  if (perSession !== undefined) {
    return { teammates: perSession - 1, from: `multi-agent v2 max_concurrent_threads_per_session ${perSession}, lead included` };
  }
  const maxThreads = wholeAt(agents, 'max_threads', '[agents] max_threads');
  if (maxThreads !== undefined) return { teammates: maxThreads, from: `multi-agent v2 under [agents] max_threads ${maxThreads}` };
  return {
    teammates: V2_DEFAULT_THREADS_PER_SESSION - 1,
    from: `multi-agent v2 default: ${V2_DEFAULT_THREADS_PER_SESSION} threads per session, lead included`,
  };
}

/** What the config says about v2: on, off, or nothing (Codex's default, which a model preset may override). */
function v2Setting(features: Table): boolean | undefined {
  const value = features['multi_agent_v2'];
  if (typeof value === 'boolean') return value;
  if (isTable(value) && typeof value['enabled'] === 'boolean') return value['enabled'];
  return undefined;
}

/**
 * How many teammates Codex lets a lead run at once, from the user's (merged) Codex config. Pure.
 * A pinned surface takes that surface's cap. With `auto`, the config's `[features]
 * multi_agent_v2` is not the last word: Codex lets the model's preset choose the surface
 * (`multi_agent_version` in its model catalog wins over the feature flag), so unless the user pins
 * one, the smaller of both caps is planned with: never a spawn Codex would refuse.
 * Throws TeamError `INVALID_INPUT` on a cap setting that is not a whole number of at least 1.
 */
export function codexThreadCapOf(config: Table, choice: SurfaceChoice = 'auto'): CodexCapReading {
  const features = tableAt(config, 'features');
  const agents = tableAt(config, 'agents');
  const v2Table = tableAt(features, 'multi_agent_v2');
  const v1 = v1Cap(agents);
  const v2 = v2Cap(v2Table, agents);
  if (choice === 'v1') return { ...v1, surface: 'v1', from: `${v1.from}; pinned by install --multi-agent v1` };
  if (choice === 'v2') return { ...v2, surface: 'v2', from: `${v2.from}; pinned by install --multi-agent v2` };
  const setting = v2Setting(features);
  const [smaller, other, otherName] = v2.teammates <= v1.teammates ? [v2, v1, 'v1'] : [v1, v2, 'v2'];
  const flag = setting === undefined ? 'multi_agent_v2 unset' : `multi_agent_v2 = ${setting}`;
  return {
    teammates: smaller.teammates,
    surface: 'either',
    from: `${smaller.from}; ${otherName} would allow ${other.teammates}, and with ${flag} the model's preset may pick either surface`,
  };
}
