/** A Codex thread id as Codex 0.171 sends it (a UUID); anything else is not taken. */
const THREAD_ID = /^[A-Za-z0-9_:.-]{1,128}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The Codex thread a tools/call came from, read from the request's `_meta`: Codex 0.171 sends
 * `threadId` and `x-codex-turn-metadata.thread_id` with every call (verified with a probe server;
 * see docs/codex.md). The same id reaches Codex's hooks as `session_id` (root) or `agent_id`
 * (sub-agent), which is how `codex-team hook` finds the agent. Null for other clients.
 */
export function codexThreadOf(meta: unknown): string | null {
  if (!isRecord(meta)) return null;
  const turn = meta['x-codex-turn-metadata'];
  const candidates = [meta['threadId'], isRecord(turn) ? turn['thread_id'] : undefined];
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && THREAD_ID.test(candidate)) return candidate;
  }
  return null;
}
