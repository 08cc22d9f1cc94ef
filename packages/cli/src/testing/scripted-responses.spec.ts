import { agentCall, mcpCall, ScriptedResponses, toolOutputText, type AgentProgram } from './scripted-responses';

async function post(baseUrl: string, body: unknown): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const response = await fetch(`${baseUrl}/responses`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return (await response.text())
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const [event, data] = chunk.split('\n');
      return { type: (event ?? '').replace('event: ', ''), data: JSON.parse((data ?? '').replace('data: ', '')) as Record<string, unknown> };
    });
}

function* program(): AgentProgram {
  const started = yield mcpCall('team_start', { name: 'x' });
  yield agentCall('wait_agent', { targets: ['a'] });
  return `started ${String((started.json as { team: string }).team)}`;
}

describe('ScriptedResponses', () => {
  let endpoint: ScriptedResponses;
  afterEach(() => endpoint.close());

  it('answers each thread with SSE events driven by its program', async () => {
    endpoint = await ScriptedResponses.start(() => program());
    const metadata = { thread_id: 'thread-root-0001' };
    const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] };

    const first = await post(endpoint.baseUrl, { input: [user], client_metadata: metadata });
    expect(first.map((event) => event.type)).toEqual(['response.created', 'response.output_item.done', 'response.completed']);
    const call = first[1]?.data['item'] as Record<string, unknown>;
    expect(call).toEqual({ type: 'function_call', namespace: 'mcp__team', name: 'team_start', arguments: '{"name":"x"}', call_id: 'call_oot-0001_1' });
    // Usage is the endpoint's own count: a token per 4 bytes of the request, and of the answer's items.
    const requestBytes = JSON.stringify({ input: [user], client_metadata: metadata }).length;
    const usage = (first[2]?.data['response'] as { usage: { input_tokens: number; output_tokens: number } }).usage;
    expect(usage.input_tokens).toBe(Math.ceil(requestBytes / 4));
    expect(usage.output_tokens).toBe(Math.ceil(JSON.stringify([call]).length / 4));
    expect(endpoint.requests[0]).toMatchObject({ inputTokens: usage.input_tokens, outputTokens: usage.output_tokens });

    const output = { type: 'function_call_output', call_id: call['call_id'], output: 'Wall time: 0.01 seconds\nOutput:\n{"team":"tm_1"}' };
    const second = await post(endpoint.baseUrl, { input: [user, call, output], client_metadata: metadata });
    expect((second[1]?.data['item'] as { namespace: string }).namespace).toBe('multi_agent_v1');

    const third = await post(endpoint.baseUrl, { input: [user, { type: 'function_call_output', call_id: 'call_oot-0001_2', output: '{}' }], client_metadata: metadata });
    expect(third[1]?.data['item']).toEqual({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'started tm_1' }] });
    expect(endpoint.errors).toEqual([]);
    expect(endpoint.threadInfos()).toEqual([{ threadId: 'thread-root-0001', parentThreadId: undefined, userTexts: ['go'] }]);
  });

  it('holds a thread off the model until its condition settles, then goes on with what it resolved to', async () => {
    let release: (value: string) => void = () => undefined;
    const released = new Promise<string>((resolve) => (release = resolve));
    endpoint = await ScriptedResponses.start(function* (): AgentProgram {
      const held = yield { hold: () => released };
      return `held for ${String(held.json)}`;
    });
    const answer = post(endpoint.baseUrl, { input: [], client_metadata: { thread_id: 'held-thread' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endpoint.requests[0]?.answeredAt).toBeUndefined();
    release('the store');
    const events = await answer;
    expect(events[1]?.data['item']).toEqual({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'held for the store' }] });
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.errors).toEqual([]);
  });

  it('records a missing tool result as a script error and ends the thread', async () => {
    endpoint = await ScriptedResponses.start(() => program());
    const metadata = { thread_id: 't2', 'x-codex-parent-thread-id': 'root' };
    await post(endpoint.baseUrl, { input: [], client_metadata: metadata });
    const next = await post(endpoint.baseUrl, { input: [], client_metadata: metadata });
    expect(JSON.stringify(next[1]?.data['item'])).toContain('script error');
    expect(endpoint.errors[0]).toContain('no function_call_output');
    expect(endpoint.threadInfos()[0]?.parentThreadId).toBe('root');
  });

  it('strips Codex\'s preamble from string and content-array outputs', () => {
    expect(toolOutputText('Wall time: 0.0054 seconds\nOutput:\n{"ok":1}')).toBe('{"ok":1}');
    expect(
      toolOutputText([
        { type: 'input_text', text: 'Wall time: 0.0022 seconds\nOutput:' },
        { type: 'input_text', text: '{"error":{"code":"DENIED"}}' },
      ]),
    ).toBe('{"error":{"code":"DENIED"}}');
  });
});
