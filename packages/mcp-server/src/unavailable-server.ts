import type { Readable, Writable } from 'node:stream';
import { TOOL_CONTRACTS, TeamError } from '@codex-team/contracts';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { advertisedTool } from './advertised-schema';
import { errorResult } from './tool-result';

export interface UnavailableServerOptions {
  /** The store that could not be opened. */
  dbPath: string;
  /** Why, in one line (the open's error message). */
  reason: string;
  logger: Logger;
  /** What every tool call is answered. @default storeUnavailableMessage(dbPath, reason) */
  message?: string;
  /** @default process.stdin */
  stdin?: Readable;
  /** @default process.stdout */
  stdout?: Writable;
}

/** A stdio session that serves only refusals; it ends when stdin closes or on `shutdown`. */
export interface UnavailableServer {
  shutdown(reason: string): Promise<void>;
  readonly closed: Promise<void>;
}

/** The one-line error every tool call gets while the store cannot be opened. */
export function storeUnavailableMessage(dbPath: string, reason: string): string {
  return (
    `the codex-team store ${dbPath} could not be opened when this session started (${reason}); ` +
    'no team_* tool works in this Codex session. Tell the user to run `codex-team doctor`, fix what it ' +
    'reports, and start a new Codex session.'
  );
}

/**
 * The one-line error every tool call gets while the server's hooks file cannot be used: the gates
 * it holds fail closed, so nothing passes them unchecked.
 */
export function hooksUnavailableMessage(reason: string): string {
  return (
    `this codex-team server was started with a hooks file it cannot use (${reason}); every team_* call ` +
    'is refused so that nothing passes its gates unchecked. Tell the user to fix the file (docs/hooks.md) ' +
    'and start a new Codex session.'
  );
}

/**
 * Serves one MCP session on stdio without a store: the handshake and tools/list work as usual (so
 * Codex, which stops a session whose required MCP server fails to start, keeps working), and every
 * tools/call is answered `INTERNAL` with the reason and what to do. Used by `codex-team-mcp` when
 * its hooks file cannot be used, or when opening the store fails (a native module built for another Node, a schema from a newer version,
 * a store folder that cannot be written).
 */
export async function runUnavailableStdioServer(options: UnavailableServerOptions): Promise<UnavailableServer> {
  const { logger } = options;
  const message = options.message ?? storeUnavailableMessage(options.dbPath, options.reason);
  const server = new Server({ name: 'codex-team', version: '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: Object.values(TOOL_CONTRACTS).map(advertisedTool) }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    logger.warn({ tool: request.params.name, outcome: 'INTERNAL', db: options.dbPath }, 'tool call refused: the store is unavailable');
    return errorResult(new TeamError('INTERNAL', message, { store: options.dbPath }).toBody());
  });
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let ending: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    ending ??= Promise.resolve().then(async () => {
      try {
        await server.close();
      } catch (error) {
        logger.warn({ err: error }, 'closing the MCP server failed');
      }
      logger.info({ reason }, 'session ended (store unavailable)');
      resolveClosed();
    });
    return ending;
  };
  server.onerror = (error) => logger.warn({ err: error }, 'MCP protocol error');
  server.onclose = () => void shutdown('transport closed');
  stdin.on('end', () => void shutdown('stdin closed'));
  stdin.on('close', () => void shutdown('stdin closed'));
  await server.connect(transport);
  logger.error({ db: options.dbPath, reason: options.reason }, 'codex-team-mcp serving without a store: every tool call is refused');
  return { shutdown, closed };
}
