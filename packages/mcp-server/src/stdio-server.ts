import { TeamError } from '@codex-team/contracts';
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { redactStoreLocation } from '@codex-team/store';
import { ServerRuntime, type ServerRuntimeOptions } from './server-runtime';
import { Session } from './session';
import { StdinLineGuard, oversizedRequestId, oversizedToolName, type MalformedLine, type OversizedLine } from './stdin-line-guard';
import { errorResult } from './tool-result';

/**
 * Longest JSON-RPC message accepted on stdin. Generous: the largest valid call (1,000 tasks of
 * 8,000 characters) fits; a longer one is answered PAYLOAD_TOO_LARGE instead of reaching the SDK
 * transport, which would close the session.
 */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export interface StdioServerOptions extends ServerRuntimeOptions {
  /** @default process.stdin */
  stdin?: Readable;
  /** @default process.stdout */
  stdout?: Writable;
  /** @default MAX_REQUEST_BYTES */
  maxRequestBytes?: number;
}

/** A server speaking MCP on stdio for one session. */
export interface RunningStdioServer {
  /** The session's identity; bound after team_start, team_join or team_resume. */
  readonly session: Session;
  /**
   * Ends the session: records the bound agent's disconnect with `reason`, closes the server and
   * the store. Idempotent; stdin closing calls it too.
   */
  shutdown(reason: string): Promise<void>;
  /** Settles once the session has ended and everything is closed. */
  readonly closed: Promise<void>;
}

/**
 * Opens the store and serves one MCP session on stdio until stdin closes or `shutdown` is called.
 * Throws (before serving) when the store cannot be opened, e.g. TeamError SCHEMA_MISMATCH.
 */
export async function runStdioServer(options: StdioServerOptions): Promise<RunningStdioServer> {
  const { logger } = options;
  const session = new Session();
  const runtime = await ServerRuntime.open(options);
  const server = runtime.createSessionServer(session);
  const stdin = options.stdin ?? process.stdin;
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const guard = new StdinLineGuard(
    maxRequestBytes,
    (line) => refuseOversized(line),
    (line) => answerMalformed(line),
  );
  // The guard hands over whole lines of at most maxRequestBytes, so the SDK buffer never overflows.
  const transport = new StdioServerTransport(guard, options.stdout ?? process.stdout, {
    maxBufferSize: 2 * maxRequestBytes + 1024,
  });

  function refuseOversized(line: OversizedLine): void {
    const id = oversizedRequestId(line);
    const tool = oversizedToolName(line);
    const binding = session.binding;
    logger.warn(
      { tool, agent_id: binding?.agentId ?? null, team_id: binding?.teamId ?? null, bytes: line.bytes, outcome: 'PAYLOAD_TOO_LARGE' },
      'request larger than the server accepts',
    );
    if (id === null) return;
    const message = `the request is ${line.bytes} bytes, more than the ${maxRequestBytes} this server accepts`;
    const reply =
      tool === null
        ? { jsonrpc: '2.0' as const, id, error: { code: -32600, message } }
        : {
            jsonrpc: '2.0' as const,
            id,
            result: errorResult(new TeamError('PAYLOAD_TOO_LARGE', message, { bytes: line.bytes, max_bytes: maxRequestBytes }).toBody()),
          };
    transport.send(reply).catch((error: unknown) => logger.error({ err: error }, 'could not answer an oversized request'));
  }

  // JSON-RPC's answer to a line that is not a message; the session goes on.
  function answerMalformed(line: MalformedLine): void {
    const binding = session.binding;
    logger.warn(
      { agent_id: binding?.agentId ?? null, team_id: binding?.teamId ?? null, code: line.code, reason: line.message },
      'malformed JSON-RPC line answered with an error',
    );
    const reply = { jsonrpc: '2.0' as const, id: line.id, error: { code: line.code, message: line.message } };
    // The SDK's message type insists on an id; JSON-RPC asks for null when the request's is unknown.
    transport.send(reply as Parameters<typeof transport.send>[0]).catch((error: unknown) => logger.error({ err: error }, 'could not answer a malformed line'));
  }

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let ending: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    // The body starts on a later tick: closing the server below re-enters shutdown through
    // onclose, and by then `ending` must already be set so the session ends exactly once.
    ending ??= Promise.resolve().then(async () => {
      // Record the disconnect first: it is the liveness signal the team relies on.
      const binding = await runtime.endSession(session, reason);
      stdin.unpipe(guard);
      try {
        await server.close();
      } catch (error) {
        logger.warn({ err: error }, 'closing the MCP server failed');
      }
      // Hooks still running die with the session (the runtime kills their process groups).
      // A sweep already running finishes its transaction before the store closes under it.
      await runtime.close();
      logger.info({ agent_id: binding?.agentId ?? null, team_id: binding?.teamId ?? null, reason }, 'session ended');
      resolveClosed();
    });
    return ending;
  };

  server.onerror = (error) => logger.warn({ err: error }, 'MCP protocol error');
  server.onclose = () => void shutdown('transport closed');
  stdin.on('end', () => void shutdown('stdin closed'));
  stdin.on('close', () => void shutdown('stdin closed'));
  stdin.on('error', (error) => {
    logger.warn({ err: error }, 'stdin failed');
    void shutdown('stdin failed');
  });
  stdin.pipe(guard);
  await server.connect(transport);
  logger.info(
    {
      db: redactStoreLocation(options.dbPath),
      profiles: [...runtime.profiles.profiles.keys()],
      lease_override_ms: options.leaseMs ?? null,
      recovery: runtime.recovery,
      hooks_file: options.hooksFile?.dir ?? null,
      codex_thread_cap: options.codexThreadCap ?? null,
    },
    'codex-team-mcp serving on stdio',
  );
  return { session, shutdown, closed };
}
