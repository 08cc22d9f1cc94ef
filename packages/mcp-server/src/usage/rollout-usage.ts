import type { MeasuredResponse } from '@codex-team/store';

// Codex writes each thread's session to `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread
// id>.jsonl`, one JSON object a line. Codex 0.171 records every model response's tokens there as
// `{"type":"token_usage_record","payload":{"thread_id","response_id","usage":{input_tokens,
// cached_input_tokens, output_tokens, reasoning_output_tokens, total_tokens, ...}}}` (input
// includes the cached part, total is input plus output), and after it an
// `{"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{...},
// "last_token_usage":{...}}}}` with the thread's running total (verified with a real `codex exec`
// against a scripted endpoint; docs/operator.md, "Token usage").

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** Codex's usage object as our measured response, or null when it is not one. */
function tokensOf(usage: unknown): Omit<MeasuredResponse, 'response_id'> | null {
  if (!isObject(usage)) return null;
  const input = count(usage['input_tokens']);
  const output = count(usage['output_tokens']);
  const cached = count(usage['cached_input_tokens'] ?? 0);
  if (input === null || output === null || cached === null) return null;
  return { input_tokens: input, output_tokens: output, cached_input_tokens: Math.min(cached, input) };
}

/**
 * What the lines read so far of one rollout say: the responses (each with its key), and the
 * running total of the last `token_count`, which a rollout without per-response records (older
 * Codex) is measured by.
 */
export interface RolloutUsageState {
  /** Keys of the responses already taken from this rollout. */
  readonly keys: ReadonlySet<string>;
  /** input + output of the last token_count total seen; 0 before one. */
  readonly countedTotal: number;
  /** Whether the rollout has per-response records (then token_count lines are not used). */
  readonly perResponse: boolean;
}

export const EMPTY_ROLLOUT_STATE: RolloutUsageState = { keys: new Set(), countedTotal: 0, perResponse: false };

/**
 * The model responses in `lines` (whole lines of a rollout, in order) not taken before, and the
 * state after them. A `token_usage_record` is one response, keyed by its response id (its line's
 * ordinal when it has none). A rollout without such records is measured by its `token_count`
 * running total: each rise is one response, keyed by the total it rose to, so a repeated count
 * adds nothing. Lines that are not JSON, or not usage, are skipped. Pure.
 */
export function rolloutResponses(lines: readonly string[], state: RolloutUsageState): { responses: MeasuredResponse[]; state: RolloutUsageState } {
  const keys = new Set(state.keys);
  let { countedTotal, perResponse } = state;
  const responses: MeasuredResponse[] = [];
  const counts: MeasuredResponse[] = [];
  for (const line of lines) {
    // Rollouts hold whole transcripts: only usage lines are parsed.
    if (!line.includes('token_usage_record') && !line.includes('token_count')) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line) as unknown;
    } catch {
      continue;
    }
    if (!isObject(entry) || !isObject(entry['payload'])) continue;
    const payload = entry['payload'];
    if (entry['type'] === 'token_usage_record') {
      const tokens = tokensOf(payload['usage']);
      if (tokens === null) continue;
      perResponse = true;
      const id = payload['response_id'];
      const key = typeof id === 'string' && id !== '' ? id : `ordinal:${String(entry['ordinal'])}`;
      if (keys.has(key)) continue;
      keys.add(key);
      responses.push({ response_id: key, ...tokens });
    } else if (entry['type'] === 'event_msg' && payload['type'] === 'token_count' && isObject(payload['info'])) {
      const total = tokensOf(payload['info']['total_token_usage']);
      if (total === null) continue;
      const sum = total.input_tokens + total.output_tokens;
      if (sum <= countedTotal) continue;
      const last = tokensOf(payload['info']['last_token_usage']);
      const key = `total:${sum}`;
      countedTotal = sum;
      if (last === null || keys.has(key)) continue;
      keys.add(key);
      counts.push({ response_id: key, ...last });
    }
  }
  return { responses: perResponse ? responses : counts, state: { keys, countedTotal, perResponse } };
}
