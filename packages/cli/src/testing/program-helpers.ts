import { ErrorBodySchema, type ErrorBody } from '@codex-team/contracts';
import type { ToolResult } from './scripted-responses';

/** The error body of a refused codex-team call (`{"error": {code, message}}`), or undefined. */
export function errorOf(result: ToolResult): ErrorBody | undefined {
  const json = result.json;
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  const parsed = ErrorBodySchema.safeParse((json as { error: unknown }).error);
  return parsed.success ? parsed.data : undefined;
}

/** The agent id `spawn_agent` returned (`{"agent_id", "nickname"}`). */
export function spawnedAgentId(result: ToolResult): string {
  const json = result.json;
  if (typeof json === 'object' && json !== null && 'agent_id' in json) {
    const id = (json as { agent_id: unknown }).agent_id;
    if (typeof id === 'string') return id;
  }
  throw new Error(`spawn_agent did not return an agent_id: ${result.text}`);
}

/** Ids of the agents `wait_agent` reports as finished (`{"status": {id: {...}}, "timed_out"}`). */
export function finishedAgentIds(result: ToolResult): string[] {
  const json = result.json;
  if (typeof json !== 'object' || json === null || !('status' in json)) return [];
  const status = (json as { status: unknown }).status;
  return typeof status === 'object' && status !== null ? Object.keys(status) : [];
}

/** The join ticket inside a spawn instruction. */
export function ticketIn(texts: readonly string[]): string | undefined {
  return /\bjoin_[a-z2-7]{32,64}\b/.exec(texts.join('\n'))?.[0];
}
