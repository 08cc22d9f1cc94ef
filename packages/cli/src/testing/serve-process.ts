import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { collectJsonLines } from '@codex-team/contracts/testing';

/** The built CLI; process tests run what ships, so build first. */
export const CLI_BIN = join(__dirname, '..', '..', 'dist', 'bin.js');

/** A `codex-team serve --http 127.0.0.1:0` child process. */
export interface ServeProcess {
  /** The endpoint it printed. */
  url: string;
  /** Its bearer token (given through $CODEX_TEAM_TOKEN). */
  token: string;
  /** `127.0.0.1:<port>`, the Host header it accepts. */
  hostHeader: string;
  pid: number;
  /** Parsed JSON log lines it wrote to stderr so far. */
  readonly logs: Record<string, unknown>[];
  /** Whether the process is still running. */
  alive(): boolean;
  /** Settles with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | null>;
}

const live = new Set<ChildProcess>();

/** A fresh random bearer token. */
export function testToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Starts `codex-team serve --http 127.0.0.1:0 --db <dbPath> ...extraArgs` and waits for its endpoint line. */
export async function startServe(dbPath: string, extraArgs: readonly string[] = [], token = testToken()): Promise<ServeProcess> {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run nx run cli:build first`);
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--http', '127.0.0.1:0', '--db', dbPath, ...extraArgs], {
    env: { ...process.env, CODEX_TEAM_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const logs = collectJsonLines(child.stderr);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      live.delete(child);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no endpoint in time: ${out} ${JSON.stringify(logs)}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /serving MCP on (\S+)/.exec(out);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)} before serving: ${out} ${JSON.stringify(logs)}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    url,
    token,
    hostHeader: new URL(url).host,
    pid,
    logs,
    alive: () => exitCode === undefined,
    exited,
    stop: async () => {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Kills every serve process still running; call it from afterAll. */
export function killAllServes(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** One raw HTTP exchange, with every header under the caller's control (Host included). */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: options.method ?? 'POST', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The headers an MCP client sends on a POST, with the bearer token and, once known, the session id. */
export function mcpHeaders(server: ServeProcess, sessionId?: string): Record<string, string> {
  return {
    Host: server.hostHeader,
    Authorization: `Bearer ${server.token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    ...(sessionId === undefined ? {} : { 'Mcp-Session-Id': sessionId, 'Mcp-Protocol-Version': '2025-06-18' }),
  };
}

/** A JSON-RPC request body. */
export function rpc(id: number, method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** Opens a session with raw requests (initialize + initialized) and returns its id: a client that keeps no stream open. */
export async function openRawSession(server: ServeProcess): Promise<string> {
  const init = await rawRequest(server.url, {
    headers: mcpHeaders(server),
    body: rpc(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } }),
  });
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof sessionId !== 'string') throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const initialized = await rawRequest(server.url, {
    headers: mcpHeaders(server, sessionId),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  if (initialized.status !== 202) throw new Error(`initialized failed: ${initialized.status} ${initialized.text}`);
  return sessionId;
}

/** A tools/call over a raw session; the parsed JSON-RPC response. */
export async function rawToolCall(server: ServeProcess, sessionId: string, name: string, args: Record<string, unknown>): Promise<RawResponse> {
  return rawRequest(server.url, { headers: mcpHeaders(server, sessionId), body: rpc(2, 'tools/call', { name, arguments: args }) });
}
