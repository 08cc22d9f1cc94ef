import { EMPTY_ROLLOUT_STATE, rolloutResponses } from './rollout-usage';

// Lines as Codex 0.171 writes them (trimmed to the fields read; shapes from a real `codex exec`).
const usage = (input: number, cached: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  cache_write_input_tokens: 0,
  output_tokens: output,
  reasoning_output_tokens: 0,
  total_tokens: input + output,
});
const record = (ordinal: number, responseId: string | undefined, u: ReturnType<typeof usage>) =>
  JSON.stringify({ ordinal, type: 'token_usage_record', payload: { thread_id: 't', ...(responseId === undefined ? {} : { response_id: responseId }), usage: u, thread_token_usage: u } });
const count = (ordinal: number, total: ReturnType<typeof usage>, last: ReturnType<typeof usage>) =>
  JSON.stringify({ ordinal, type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: total, last_token_usage: last } } });

describe('rolloutResponses', () => {
  it("takes each token_usage_record once, by response id, and ignores token_count lines beside them", () => {
    const lines = [
      JSON.stringify({ type: 'session_meta', payload: { id: 't' } }),
      record(10, 'r1', usage(1234, 100, 57)),
      count(12, usage(1234, 100, 57), usage(1234, 100, 57)),
      record(15, 'r2', usage(2234, 200, 107)),
      count(16, usage(3468, 300, 164), usage(2234, 200, 107)),
    ];
    const first = rolloutResponses(lines.slice(0, 3), EMPTY_ROLLOUT_STATE);
    expect(first.responses).toEqual([{ response_id: 'r1', input_tokens: 1234, cached_input_tokens: 100, output_tokens: 57 }]);
    const second = rolloutResponses(lines, first.state);
    expect(second.responses).toEqual([{ response_id: 'r2', input_tokens: 2234, cached_input_tokens: 200, output_tokens: 107 }]);
    expect(rolloutResponses(lines, second.state).responses).toEqual([]);
  });

  it('keys a record without a response id by its line ordinal', () => {
    expect(rolloutResponses([record(7, undefined, usage(10, 0, 1))], EMPTY_ROLLOUT_STATE).responses).toEqual([
      { response_id: 'ordinal:7', input_tokens: 10, cached_input_tokens: 0, output_tokens: 1 },
    ]);
  });

  it('measures a rollout with only token_count lines by the rises of its running total; a repeated count adds nothing', () => {
    const lines = [
      count(1, usage(100, 0, 10), usage(100, 0, 10)),
      count(2, usage(100, 0, 10), usage(100, 0, 10)),
      count(3, usage(250, 50, 30), usage(150, 50, 20)),
    ];
    const { responses } = rolloutResponses(lines, EMPTY_ROLLOUT_STATE);
    expect(responses.map((r) => [r.response_id, r.input_tokens, r.cached_input_tokens, r.output_tokens])).toEqual([
      ['total:110', 100, 0, 10],
      ['total:280', 150, 50, 20],
    ]);
  });

  it('skips what is not usage: broken JSON, a negative or fractional count, cached above input is capped', () => {
    const lines = [
      '{"type":"token_usage_record", broken',
      record(1, 'neg', { ...usage(1, 0, 1), input_tokens: -5 }),
      record(2, 'frac', { ...usage(1, 0, 1), output_tokens: 1.5 }),
      record(3, 'capped', usage(10, 99, 1)),
    ];
    expect(rolloutResponses(lines, EMPTY_ROLLOUT_STATE).responses).toEqual([{ response_id: 'capped', input_tokens: 10, cached_input_tokens: 10, output_tokens: 1 }]);
  });
});
