import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN_PATH } from './stdio-process';

/** One JSON-RPC message the server wrote on stdout. */
export type RawMessage = { jsonrpc: '2.0'; id?: string | number | null; result?: unknown; error?: { code: number; message: string } } & Record<
  string,
  unknown
>;

/**
 * A client that speaks to the built codex-team-mcp binary in raw JSON lines, as a client with its
 * own JSON encoder (or a broken one) would: what it writes reaches the server byte for byte, so a
 * test can send own `__proto__` keys, lone surrogates and malformed lines that the SDK client could
 * never produce.
 */
export class RawStdioClient {
  private readonly received: RawMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  private partial = '';
  private nextId = 1;
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (this.partial + chunk.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.received.push(JSON.parse(line) as RawMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr.resume();
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Spawns `node dist/codex-team-mcp.cjs --db <dbPath>` and completes the MCP handshake. */
  static async start(dbPath: string, extraArgs: string[] = []): Promise<RawStdioClient> {
    const client = new RawStdioClient(spawn(process.execPath, [BIN_PATH, '--db', dbPath, ...extraArgs], { stdio: 'pipe' }));
    const init = await client.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'raw-stdio-spec', version: '1.0.0' },
    });
    if (init.error !== undefined) throw new Error(`initialize failed: ${init.error.message}`);
    client.writeLine(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return client;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Writes one line (a newline is added) exactly as given. */
  writeLine(line: string | Buffer): void {
    this.child.stdin.write(Buffer.concat([typeof line === 'string' ? Buffer.from(line, 'utf8') : line, Buffer.from('\n')]));
  }

  /** Sends a request and waits for the answer with its id. */
  async request(method: string, params: unknown): Promise<RawMessage> {
    const id = this.nextId;
    this.nextId += 1;
    this.writeLine(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.next((message) => message.id === id);
  }

  /**
   * A tools/call whose arguments are given as raw JSON text, so they reach the server as written
   * (`{"__proto__": ...}` stays an own key; `"\ud800"` stays a lone surrogate).
   */
  async callToolRaw(name: string, argumentsJson: string): Promise<RawMessage> {
    const id = this.nextId;
    this.nextId += 1;
    this.writeLine(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${argumentsJson}}}`);
    return this.next((message) => message.id === id);
  }

  /** The first message (received or still to come) that `matches`, removed from the inbox. */
  async next(matches: (message: RawMessage) => boolean, timeoutMs = 20_000): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex(matches);
      if (index !== -1) return this.received.splice(index, 1)[0] as RawMessage;
      if (Date.now() > deadline) throw new Error('no matching message from the server in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes stdin (as Codex does when the thread ends) and waits for the exit. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The tool result of a tools/call answer, with its error body parsed when it is an error. */
export function toolResultOf(message: RawMessage): { isError: boolean; body: Record<string, unknown> } {
  const result = message.result as { isError?: boolean; content?: { type: string; text: string }[] } | undefined;
  if (result === undefined) throw new Error(`not a tool result: ${JSON.stringify(message).slice(0, 300)}`);
  const text = result.content?.[0]?.text ?? '{}';
  return { isError: result.isError === true, body: JSON.parse(text) as Record<string, unknown> };
}
