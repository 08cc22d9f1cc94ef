import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as NodeHttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TeamError } from '@codex-team/contracts';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  BearerCheck,
  allowedHostHeaders,
  hostHeaderOf,
  isLoopbackHost,
  originAllowed,
  type ListenAddress,
} from './http-guards';
import { redactStoreLocation } from '@codex-team/store';
import { ServerRuntime, type ServerRuntimeOptions } from './server-runtime';
import { Session } from './session';
import { MAX_REQUEST_BYTES } from './stdio-server';

/** The one path the server answers MCP on. */
export const MCP_HTTP_PATH = '/mcp';
/** Sessions open at once, all agents of all teams together; one more initialize gets 503. */
export const DEFAULT_MAX_HTTP_SESSIONS = 64;
/**
 * A session with no request in progress and no open stream for this long is ended as if its agent
 * had disconnected. A Codex thread keeps a stream open while it lives, so this mostly catches
 * clients that vanished without closing their session.
 */
export const DEFAULT_HTTP_IDLE_MS = 30 * 60_000;
/** Bytes of an oversized body read and thrown away so the 413 reaches the client; past this the connection is cut. */
const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

export interface HttpServerOptions extends ServerRuntimeOptions {
  address: ListenAddress;
  /** Every request must carry `Authorization: Bearer <token>`; at least MIN_BEARER_TOKEN_LENGTH characters. */
  bearerToken: string;
  /** Listening on a host other than loopback is refused unless this is true. @default false */
  allowRemote?: boolean;
  /** Host header values accepted beside the listening address (and, on loopback, its loopback names). */
  allowedHosts?: readonly string[];
  /** Origins accepted beside the server's own (`http://<allowed host>`); a request without Origin is fine. */
  allowedOrigins?: readonly string[];
  /** Largest request body, in bytes; a larger one is answered 413. @default MAX_REQUEST_BYTES */
  maxBodyBytes?: number;
  /** @default DEFAULT_MAX_HTTP_SESSIONS */
  maxSessions?: number;
  /** @default DEFAULT_HTTP_IDLE_MS */
  idleMs?: number;
}

/** An HTTP server serving one MCP session per agent connection. */
export interface RunningHttpServer {
  /** The endpoint agents connect to, e.g. `http://127.0.0.1:7316/mcp`. */
  readonly url: string;
  /** Where it listens; the port is the real one when 0 was asked. */
  readonly address: ListenAddress;
  /** Sessions open now. */
  sessionCount(): number;
  /**
   * Stops accepting connections, ends every session (recording each bound agent's disconnect
   * with `reason`) and closes the store. Idempotent.
   */
  shutdown(reason: string): Promise<void>;
  /** Settles once the server has stopped and everything is closed. */
  readonly closed: Promise<void>;
}

/** One agent connection: its own Session, its own MCP server, its own SDK transport. */
interface HttpSession {
  id: string | null;
  readonly session: Session;
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  /** Requests of this session whose response is still open (a GET stream stays open). */
  open: number;
  lastActiveAt: number;
  ending: Promise<void> | null;
}

type Refusal = { status: number; code: number; message: string; headers?: Record<string, string> };

function refuse(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: refusal.code, message: refusal.message }, id: null });
  res.writeHead(refusal.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...refusal.headers });
  res.end(body);
}

type Body = { tooLarge: false; text: string } | { tooLarge: true; bytes: number; drained: boolean };

/** Reads a request body up to `maxBytes`; past that it reads on (up to DRAIN_LIMIT_BYTES more) only to throw it away. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes + DRAIN_LIMIT_BYTES) return { tooLarge: true, bytes: declared, drained: false };
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= maxBytes) chunks.push(chunk);
    else if (bytes > maxBytes + DRAIN_LIMIT_BYTES) return { tooLarge: true, bytes, drained: false };
  }
  if (bytes > maxBytes) return { tooLarge: true, bytes, drained: true };
  return { tooLarge: false, text: Buffer.concat(chunks).toString('utf8') };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Serves the codex-team tools over MCP Streamable HTTP: one long-running process, one MCP session
 * per agent connection (a fresh `createServer` with its own `Session`, so identity is still bound
 * per session by ticket), over one store. Every request must pass, in order: the Host check and
 * the Origin check (against DNS rebinding: 403), the bearer token (401), the path (404) and the
 * method (405); then the session: an unknown or expired id is 404, a body over the limit 413,
 * malformed JSON a JSON-RPC parse error (400, -32700), one session too many 503. Nothing a
 * request does ends the process. When a session is closed (DELETE) or expires idle, the bound
 * agent's disconnect is recorded exactly as when a stdio server's stdin closes.
 * Throws before serving when the store cannot be opened, the address is remote without
 * `allowRemote` (INVALID_INPUT), or the port cannot be bound (CONFLICT).
 */
export async function runHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  if (!isLoopbackHost(options.address.host) && options.allowRemote !== true) {
    throw new TeamError(
      'INVALID_INPUT',
      `refusing to listen on ${options.address.host}, which other machines can reach; pass --allow-remote to mean it (and put TLS in front)`,
    );
  }
  const bearer = new BearerCheck(options.bearerToken);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_HTTP_SESSIONS;
  const idleMs = options.idleMs ?? DEFAULT_HTTP_IDLE_MS;
  const sessions = new Map<string, HttpSession>();
  /** Sessions whose initialize is being answered: they count against maxSessions already. */
  const starting = new Set<HttpSession>();
  const runtime = await ServerRuntime.open(options);

  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();
  let stopping = false;

  function endSession(entry: HttpSession, reason: string): Promise<void> {
    entry.ending ??= (async () => {
      if (entry.id !== null) sessions.delete(entry.id);
      starting.delete(entry);
      // Record the disconnect first: it is the liveness signal the team relies on.
      const binding = await runtime.endSession(entry.session, reason);
      try {
        await entry.server.close();
      } catch (error) {
        logger.warn({ err: error, session_id: entry.id }, 'closing the MCP server failed');
      }
      logger.info({ session_id: entry.id, agent_id: binding?.agentId ?? null, team_id: binding?.teamId ?? null, reason }, 'session ended');
    })();
    return entry.ending;
  }

  function openSession(): HttpSession {
    const session = new Session();
    const server = runtime.createSessionServer(session);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // One JSON answer per POST: every tool call is one short request and response.
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        entry.id = id;
        starting.delete(entry);
        sessions.set(id, entry);
        logger.info({ session_id: id, sessions: sessions.size }, 'session opened');
      },
      onsessionclosed: () => endSession(entry, 'the client closed its HTTP session'),
    });
    const entry: HttpSession = { id: null, session, server, transport, open: 0, lastActiveAt: Date.now(), ending: null };
    server.onerror = (error) => logger.warn({ err: error, session_id: entry.id }, 'MCP protocol error');
    server.onclose = () => void endSession(entry, 'transport closed');
    starting.add(entry);
    return entry;
  }

  /** Marks a request of `entry` open until its response closes; an open GET stream keeps the session alive. */
  function track(entry: HttpSession, res: ServerResponse): void {
    entry.open += 1;
    res.once('close', () => {
      entry.open -= 1;
      entry.lastActiveAt = Date.now();
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Refusal | null> {
    const host = headerValue(req, 'host')?.toLowerCase();
    if (host === undefined || !allowedHosts.has(host)) {
      return { status: 403, code: -32000, message: `Forbidden: Host header ${JSON.stringify(host ?? '')} is not this server` };
    }
    if (!originAllowed(headerValue(req, 'origin'), allowedOrigins, allowedHosts)) {
      return { status: 403, code: -32000, message: 'Forbidden: this Origin may not call the server' };
    }
    if (!bearer.accepts(headerValue(req, 'authorization'))) {
      return {
        status: 401,
        code: -32000,
        message: 'Unauthorized: send Authorization: Bearer <token>',
        headers: { 'WWW-Authenticate': 'Bearer realm="codex-team"' },
      };
    }
    const path = (req.url ?? '').split('?')[0];
    if (path !== MCP_HTTP_PATH) return { status: 404, code: -32000, message: `Not Found: the MCP endpoint is ${MCP_HTTP_PATH}` };
    const method = req.method ?? '';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      return { status: 405, code: -32000, message: 'Method Not Allowed', headers: { Allow: 'GET, POST, DELETE' } };
    }
    if (stopping) return { status: 503, code: -32000, message: 'Service Unavailable: the server is stopping' };
    const sessionId = headerValue(req, 'mcp-session-id');
    let entry: HttpSession | undefined;
    if (sessionId !== undefined) {
      entry = sessions.get(sessionId);
      // An expired or closed session is gone: the client starts a new one (and team_resume binds it again).
      if (entry === undefined || entry.ending !== null) return { status: 404, code: -32001, message: 'Session not found' };
    }
    if (method !== 'POST') {
      if (entry === undefined) return { status: 400, code: -32000, message: 'Bad Request: Mcp-Session-Id header is required' };
      track(entry, res);
      await entry.transport.handleRequest(req, res);
      return null;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body.tooLarge) {
      if (!body.drained) res.setHeader('Connection', 'close');
      return { status: 413, code: -32000, message: `Payload Too Large: the body is ${body.bytes} bytes, more than the ${maxBodyBytes} this server accepts` };
    }
    let message: unknown;
    try {
      message = JSON.parse(body.text);
    } catch {
      return { status: 400, code: -32700, message: 'Parse error: Invalid JSON' };
    }
    if (entry === undefined) {
      if (!isInitializeRequest(message)) {
        return { status: 400, code: -32000, message: 'Bad Request: Mcp-Session-Id header is required' };
      }
      if (sessions.size + starting.size >= maxSessions) {
        return {
          status: 503,
          code: -32000,
          message: `Service Unavailable: ${maxSessions} sessions are open, the most this server serves`,
          headers: { 'Retry-After': '5' },
        };
      }
      entry = openSession();
      await entry.server.connect(entry.transport);
    }
    track(entry, res);
    await entry.transport.handleRequest(req, res, message);
    if (entry.id === null) {
      // The initialize was refused (bad headers, unsupported version): no session came of it.
      void endSession(entry, 'initialize refused');
    }
    return null;
  }

  const httpServer: NodeHttpServer = createHttpServer((req, res) => {
    handle(req, res)
      .then((refusal) => {
        if (refusal === null) return;
        logger.warn(
          { status: refusal.status, method: req.method, path: req.url, remote: req.socket.remoteAddress, reason: refusal.message },
          'HTTP request refused',
        );
        refuse(res, refusal);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, method: req.method, path: req.url }, 'HTTP request failed; still serving');
        refuse(res, { status: 500, code: -32603, message: 'Internal error; it was logged' });
      });
  });
  // Node closes a connection idle for 5 s, about when an HTTP client (undici: 4 s) may reuse it:
  // an agent's first call after a pause of a few seconds then failed with "other side closed".
  // Clients close their idle connections well before this.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.on('clientError', (error, socket) => {
    logger.warn({ err: error }, 'malformed HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.address.port, options.address.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await runtime.close();
    throw new TeamError('CONFLICT', `cannot listen on ${hostHeaderOf(options.address.host, options.address.port)}: ${String(error)}`);
  }
  httpServer.on('error', (error) => logger.error({ err: error }, 'HTTP server error; still serving'));
  const port = (httpServer.address() as AddressInfo).port;
  const address = { host: options.address.host, port };
  allowedHosts = allowedHostHeaders(address, options.allowedHosts ?? []);
  allowedOrigins = new Set((options.allowedOrigins ?? []).map((origin) => origin.toLowerCase()));

  const idleTimer = setInterval(
    () => {
      const now = Date.now();
      for (const entry of sessions.values()) {
        if (entry.open === 0 && entry.ending === null && now - entry.lastActiveAt >= idleMs) {
          void endSession(entry, `HTTP session idle for more than ${idleMs} ms`);
        }
      }
    },
    Math.max(10, Math.min(5_000, Math.floor(idleMs / 4))),
  ).unref();

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let shuttingDown: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      stopping = true;
      clearInterval(idleTimer);
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await Promise.all([...sessions.values(), ...starting].map((entry) => endSession(entry, reason)));
      httpServer.closeAllConnections();
      await stopped;
      await runtime.close();
      logger.info({ reason }, 'HTTP server stopped');
      resolveClosed();
    })();
    return shuttingDown;
  };

  const url = `http://${hostHeaderOf(address.host, port)}${MCP_HTTP_PATH}`;
  logger.info(
    {
      url,
      db: redactStoreLocation(options.dbPath),
      max_sessions: maxSessions,
      idle_ms: idleMs,
      max_body_bytes: maxBodyBytes,
      allowed_hosts: [...allowedHosts],
      codex_thread_cap: options.codexThreadCap ?? null,
    },
    'codex-team serving MCP over Streamable HTTP',
  );
  return { url, address, sessionCount: () => sessions.size, shutdown, closed };
}
