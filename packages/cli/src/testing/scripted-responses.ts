import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for the OpenAI Responses API that drives a real `codex exec` with no account and no
// network beyond loopback. Each Codex thread (the root session and every spawn_agent sub-agent)
// gets its own scripted "model": a generator that yields one tool call per turn and receives the
// tool's result from the next request, then returns its final answer. Shapes verified with Codex
// 0.169 and 0.171, multi-agent v1 and v2 (see docs/codex.md, "Driving Codex offline").

/** A tool call the scripted model makes. `namespace` is how Codex groups tools, e.g. `mcp__team`. */
export interface ToolCall {
  namespace?: string;
  name: string;
  args: Record<string, unknown>;
}

/** What Codex sent back for a call: the model-visible text, and its JSON when it is JSON. */
export interface ToolResult {
  call: ToolCall;
  callId: string;
  /** The `function_call_output.output` as received: a string, or an array of `input_text` items. */
  raw: unknown;
  /** The output without Codex's `Wall time: ...\nOutput:` preamble. */
  text: string;
  /** `text` parsed as JSON, when it is JSON (MCP `structuredContent` arrives that way). */
  json: unknown;
}

/**
 * An answer that ends the turn but not the program: if the thread asks again (a Codex Stop or
 * SubagentStop hook kept it working, or a v2 `followup_task`), the program resumes with a
 * ToolResult whose `call.name` is `continue` and whose `text` is the new user messages (a hook's
 * reason arrives as `<hook_prompt ...>reason</hook_prompt>`).
 */
export interface TurnEnd {
  endTurn: string;
}

/**
 * A pause off the model: the endpoint holds the thread's pending response until `until` settles,
 * then resumes the program with a ToolResult whose `call.name` is `hold` and whose `json` is what
 * `until` resolved to. Nothing reaches Codex meanwhile but an open response stream, so a script can
 * wait for another thread (or the store) without polling tools, and its tool calls and tokens stay
 * the same however the threads are scheduled.
 */
export interface Hold {
  hold: () => Promise<unknown>;
}

/** One scripted thread: yields calls (or turn ends, or holds), receives their results, returns the final answer. */
export type AgentProgram = Generator<ToolCall | TurnEnd | Hold, string, ToolResult>;

/** What a resumed program receives after a Hold. */
export const HOLD = 'hold';

/** What a resumed program receives after a TurnEnd. */
export const CONTINUE = 'continue';

/** Who is asking: what a script needs to choose a program for a new thread. */
export interface ThreadInfo {
  threadId: string;
  /** The spawning thread's id for a sub-agent (`x-codex-parent-thread-id`); undefined for the root. */
  parentThreadId: string | undefined;
  /** The thread's own user messages, e.g. the `spawn_agent` message of a sub-agent. */
  userTexts: string[];
}

/** Chooses the program of a thread the first time it sends a request. */
export type ScriptFactory = (thread: ThreadInfo) => AgentProgram;

/** One step of a thread, recorded for assertions. */
export interface TranscriptEntry {
  threadId: string;
  parentThreadId: string | undefined;
  result: ToolResult;
}

/** The token usage a response reports in `response.completed` (Responses API shape, cached input part of input). */
export interface ReportedUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
}

/** What the endpoint reported for one response, kept so a test can compare what Codex recorded. */
export interface ReportedResponse extends ReportedUsage {
  threadId: string;
  responseId: string;
}

/**
 * Chooses the usage of the `index`-th response (0-based, over all threads) of `threadId`; without
 * one, a response reports the tokens this endpoint counted (countTokens).
 */
export type UsageFactory = (index: number, threadId: string) => ReportedUsage;

/** One request Codex sent, kept for assertions (e.g. on `tools` or the developer message). */
export interface RecordedRequest {
  threadId: string;
  parentThreadId: string | undefined;
  body: Record<string, unknown>;
  /** When it arrived and when its answer was complete (ms since the epoch). */
  receivedAt: number;
  answeredAt: number | undefined;
  /** Tokens as this endpoint counts them (see countTokens): of the request, and of the answer. */
  inputTokens: number;
  outputTokens: number;
}

/**
 * The endpoint's token count of a text: one token per 4 UTF-8 bytes, rounded up. A stand-in for a
 * tokenizer that is deterministic and grows with every byte Codex sends (tool schemas, history,
 * tool outputs), which is what a cost measure needs; it is also what `usage` reports to Codex.
 */
export function countTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `call_…` ids must be unique per thread; a per-thread counter keeps them readable. */
function callId(threadId: string, step: number): string {
  return `call_${threadId.slice(-8)}_${step}`;
}

const PREAMBLE = /^Wall time: [^\n]*\nOutput:\n?/;

/** The model-visible text of a `function_call_output.output`, without Codex's preamble. */
export function toolOutputText(output: unknown): string {
  if (typeof output === 'string') return output.replace(PREAMBLE, '');
  if (Array.isArray(output)) {
    const texts = output.flatMap((item) => (isObject(item) && typeof item['text'] === 'string' ? [item['text']] : []));
    return texts.join('\n').replace(PREAMBLE, '');
  }
  return JSON.stringify(output);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function inputItems(body: JsonObject): JsonObject[] {
  const input = body['input'];
  return Array.isArray(input) ? input.filter(isObject) : [];
}

/**
 * The texts a thread was given: user messages, and under multi-agent v2 the `agent_message` that
 * carries a spawned agent's task (`encrypted_content`, plain text with a non-OpenAI provider).
 */
function userTexts(items: readonly JsonObject[]): string[] {
  return items
    .filter((item) => (item['type'] === 'message' && item['role'] === 'user') || item['type'] === 'agent_message')
    .flatMap((item) => {
      const parts = (Array.isArray(item['content']) ? (item['content'] as unknown[]) : []).filter(isObject);
      // An agent_message is a header (`Message Type: NEW_TASK ...`) and the task itself.
      const key = item['type'] === 'agent_message' ? 'encrypted_content' : 'text';
      return parts.flatMap((part) => (typeof part[key] === 'string' ? [part[key]] : []));
    })
    .filter((text) => !text.startsWith('<environment_context>') && !text.startsWith('<subagent_notification>'));
}

/** The user messages after the thread's last answer: what a continued turn was asked. */
function textsSinceLastAnswer(items: readonly JsonObject[]): string[] {
  let from = items.length;
  while (from > 0) {
    const item = items[from - 1] as JsonObject;
    if (item['type'] === 'message' && item['role'] === 'assistant') break;
    if (item['type'] === 'function_call' || item['type'] === 'function_call_output') break;
    from -= 1;
  }
  return userTexts(items.slice(from));
}

interface ThreadState {
  info: ThreadInfo;
  program: AgentProgram;
  pending: { call: ToolCall; callId: string } | undefined;
  /** The thread ended its turn with a TurnEnd and may be continued. */
  turnEnded: boolean;
  step: number;
  finalText: string | undefined;
}

/**
 * The scripted endpoint: an HTTP server on 127.0.0.1 (port 0) answering `POST /v1/responses` with
 * Server-Sent Events — `response.created`, one `response.output_item.done` per item,
 * `response.completed` with usage. Point Codex at `baseUrl` through a custom model provider.
 */
export class ScriptedResponses {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** The usage each response reported, in the order they were sent. */
  readonly reported: ReportedResponse[] = [];
  /** Every tool result a program received, in order. */
  readonly transcript: TranscriptEntry[] = [];
  /** Script failures (a program threw, or a result was missing); a test should expect none. */
  readonly errors: string[] = [];
  private readonly threads = new Map<string, ThreadState>();

  private constructor(
    private readonly server: Server,
    private readonly factory: ScriptFactory,
    private readonly usage: UsageFactory | undefined,
  ) {}

  /** Starts the endpoint; `factory` picks each new thread's program, `usage` (when given) what each response reports. */
  static async start(factory: ScriptFactory, usage?: UsageFactory): Promise<ScriptedResponses> {
    const server = createServer();
    const endpoint = new ScriptedResponses(server, factory, usage);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => endpoint.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  /** The provider `base_url` for Codex's config (`http://127.0.0.1:PORT/v1`). */
  get baseUrl(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/v1`;
  }

  /** Final answers by thread id, for threads that finished. */
  finalAnswers(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, state] of this.threads) if (state.finalText !== undefined) out.set(id, state.finalText);
    return out;
  }

  /** Thread infos in the order the threads first asked. */
  threadInfos(): ThreadInfo[] {
    return [...this.threads.values()].map((state) => state.info);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/responses') {
        res.writeHead(404).end();
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const body = parseJson(text);
      if (!isObject(body)) {
        res.writeHead(400).end();
        return;
      }
      const metadata = isObject(body['client_metadata']) ? body['client_metadata'] : {};
      const threadId = typeof metadata['thread_id'] === 'string' ? metadata['thread_id'] : 'unknown-thread';
      const parent = metadata['x-codex-parent-thread-id'];
      const request: RecordedRequest = {
        threadId,
        parentThreadId: typeof parent === 'string' ? parent : undefined,
        body,
        receivedAt: Date.now(),
        answeredAt: undefined,
        inputTokens: countTokens(text),
        outputTokens: 0,
      };
      this.requests.push(request);
      const id = `resp_${this.requests.length}`;
      // The stream opens at once: a held answer (Hold) keeps Codex waiting on a live response.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      this.send(res, 'response.created', { response: { id } });
      void this.nextItems(request).then((items) => this.respond(res, id, request, items));
    });
  }

  private async nextItems(request: RecordedRequest): Promise<JsonObject[]> {
    const { threadId, parentThreadId, body } = request;
    const items = inputItems(body);

    let state = this.threads.get(threadId);
    try {
      let next: IteratorResult<ToolCall | TurnEnd | Hold, string>;
      if (state === undefined) {
        const info: ThreadInfo = { threadId, parentThreadId, userTexts: userTexts(items) };
        state = { info, program: this.factory(info), pending: undefined, turnEnded: false, step: 0, finalText: undefined };
        this.threads.set(threadId, state);
        next = state.program.next(undefined as unknown as ToolResult);
      } else if (state.finalText !== undefined) {
        // A finished thread asked again (e.g. woken by a sub-agent notification): stay finished.
        return [this.message(state.finalText)];
      } else if (state.turnEnded) {
        const text = textsSinceLastAnswer(items).join('\n');
        const result: ToolResult = { call: { name: CONTINUE, args: {} }, callId: '', raw: null, text, json: undefined };
        this.transcript.push({ threadId, parentThreadId, result });
        state.turnEnded = false;
        next = state.program.next(result);
      } else {
        const result = this.resultFor(state, items);
        this.transcript.push({ threadId, parentThreadId, result });
        next = state.program.next(result);
      }
      while (next.done !== true && 'hold' in next.value) {
        const held: unknown = await next.value.hold();
        next = state.program.next({ call: { name: HOLD, args: {} }, callId: '', raw: null, text: '', json: held });
      }
      if (next.done === true) {
        state.finalText = next.value;
        state.pending = undefined;
        return [this.message(next.value)];
      }
      const step = next.value;
      if ('endTurn' in step) {
        state.turnEnded = true;
        state.pending = undefined;
        return [this.message(step.endTurn)];
      }
      if ('hold' in step) throw new Error('unreachable: holds are awaited above');
      state.step += 1;
      const pending = { call: step, callId: callId(threadId, state.step) };
      state.pending = pending;
      const call: JsonObject = { type: 'function_call', name: step.name, arguments: JSON.stringify(step.args), call_id: pending.callId };
      if (step.namespace !== undefined) call['namespace'] = step.namespace;
      return [call];
    } catch (error) {
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      // What Codex handed back for the last call is what the script choked on: keep it in the error.
      const last = [...this.transcript].reverse().find((entry) => entry.threadId === threadId);
      const lastOutput = last === undefined ? '' : `\nlast tool output (${last.result.call.name}): ${last.result.text.slice(0, 2_000)}`;
      this.errors.push(`thread ${threadId}: ${reason}${lastOutput}`);
      if (state !== undefined) state.finalText = `script error: ${reason.split('\n')[0] ?? ''}`;
      return [this.message(`script error: ${reason.split('\n')[0] ?? ''}`)];
    }
  }

  private resultFor(state: ThreadState, items: readonly JsonObject[]): ToolResult {
    const pending = state.pending;
    if (pending === undefined) throw new Error('a request arrived for a thread with no call pending');
    const output = items.find((item) => item['type'] === 'function_call_output' && item['call_id'] === pending.callId);
    if (output === undefined) throw new Error(`no function_call_output for ${pending.callId} (${pending.call.name})`);
    const text = toolOutputText(output['output']);
    return { call: pending.call, callId: pending.callId, raw: output['output'], text, json: parseJson(text) };
  }

  private message(text: string): JsonObject {
    return { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] };
  }

  private send(res: ServerResponse, type: string, data: JsonObject): void {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  }

  private respond(res: ServerResponse, id: string, request: RecordedRequest, items: readonly JsonObject[]): void {
    for (const item of items) this.send(res, 'response.output_item.done', { item });
    request.outputTokens = countTokens(JSON.stringify(items));
    request.answeredAt = Date.now();
    const usage = this.usage?.(this.reported.length, request.threadId) ?? {
      input_tokens: request.inputTokens,
      cached_input_tokens: 0,
      output_tokens: request.outputTokens,
    };
    this.reported.push({ threadId: request.threadId, responseId: id, ...usage });
    this.send(res, 'response.completed', {
      response: {
        id,
        usage: {
          input_tokens: usage.input_tokens,
          input_tokens_details: { cached_tokens: usage.cached_input_tokens },
          output_tokens: usage.output_tokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.input_tokens + usage.output_tokens,
        },
      },
    });
    res.end();
  }
}

/** A call of one of our MCP tools, as the model makes it (`mcp__<server>` namespace). */
export function mcpCall(name: string, args: Record<string, unknown> = {}, server = 'team'): ToolCall {
  return { namespace: `mcp__${server}`, name, args };
}

/** A call of Codex's multi-agent v1 tools (`spawn_agent`, `wait_agent`, `close_agent`, ...). */
export function agentCall(name: string, args: Record<string, unknown>): ToolCall {
  return { namespace: 'multi_agent_v1', name, args };
}

/** A call of Codex's multi-agent v2 tools (`spawn_agent`, `wait_agent`, `list_agents`, `followup_task`, ...). */
export function collabCall(name: string, args: Record<string, unknown>): ToolCall {
  return { namespace: 'collaboration', name, args };
}

/** Ends the turn without ending the program (see TurnEnd). */
export function endTurn(text: string): TurnEnd {
  return { endTurn: text };
}

/** A program that answers at once, with no tool call. */
// eslint-disable-next-line require-yield -- the whole script of such a thread is its answer
export function* answerOnly(text: string): AgentProgram {
  return text;
}
