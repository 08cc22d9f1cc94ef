import {
  ErrorBodySchema,
  TOOL_CONTRACTS,
  TeamError,
  type ToolName,
  type ToolOutput,
} from '@codex-team/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { mcpServerBinPath } from '../codex/package-assets';

/** The arguments a tool accepts (its input schema before defaults are applied). */
export type ToolArgs<N extends ToolName> = z.input<(typeof TOOL_CONTRACTS)[N]['input']>;

export interface TeamClientOptions {
  /** The store every agent of the team shares. */
  dbPath: string;
  /** Who this client speaks for, in the MCP initialize handshake. */
  clientName: string;
  /** Extra `codex-team-mcp` arguments. @default [] */
  serverArgs?: string[];
  /** Where the server's JSON log lines go. @default 'ignore' */
  serverStderr?: 'ignore' | 'inherit';
}

export interface HttpTeamClientOptions {
  /** The endpoint `codex-team serve --http` printed, e.g. http://127.0.0.1:7316/mcp. */
  url: string;
  /** The server's bearer token. */
  token: string;
  /** Who this client speaks for, in the MCP initialize handshake. */
  clientName: string;
}

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}

/**
 * One agent's MCP session, as Codex holds it for a thread: its own `codex-team-mcp` child over
 * stdio. `call` returns the tool's output checked against its contract, and turns an error result
 * into a TeamError carrying the server's stable code.
 */
export class TeamClient {
  private constructor(
    private readonly client: Client,
    /** The pid of this session's codex-team-mcp process; null for a session over HTTP. */
    readonly serverPid: number | null,
    private readonly http: StreamableHTTPClientTransport | null = null,
  ) {}

  /** Starts a codex-team-mcp process and completes the MCP handshake with it. */
  static async start(options: TeamClientOptions): Promise<TeamClient & { readonly serverPid: number }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [mcpServerBinPath(), '--db', options.dbPath, ...(options.serverArgs ?? [])],
      stderr: options.serverStderr ?? 'ignore',
    });
    const client = new Client({ name: options.clientName, version: '1.0.0' });
    await client.connect(transport);
    const pid = transport.pid;
    if (pid === null) throw new TeamError('INTERNAL', 'codex-team-mcp did not start');
    return new TeamClient(client, pid) as TeamClient & { readonly serverPid: number };
  }

  /** Opens one MCP session with a `codex-team serve --http` server, as a Codex thread does with a `url` entry. */
  static async connectHttp(options: HttpTeamClientOptions): Promise<TeamClient> {
    const transport = new StreamableHTTPClientTransport(new URL(options.url), {
      requestInit: { headers: { Authorization: `Bearer ${options.token}` } },
    });
    const client = new Client({ name: options.clientName, version: '1.0.0' });
    await client.connect(transport);
    return new TeamClient(client, null, transport);
  }

  async call<N extends ToolName>(name: N, args: ToolArgs<N>): Promise<ToolOutput<N>> {
    const result = (await this.client.callTool({ name, arguments: args as Record<string, unknown> }, CallToolResultSchema, {
      timeout: 120_000,
    })) as CallToolResult;
    if (result.isError === true) {
      const body = ErrorBodySchema.safeParse((JSON.parse(textOf(result)) as { error?: unknown }).error);
      if (!body.success) throw new TeamError('INTERNAL', `${name} failed with an unreadable error: ${textOf(result).slice(0, 300)}`);
      throw new TeamError(body.data.code, body.data.message, body.data.details);
    }
    const parsed = TOOL_CONTRACTS[name].output.safeParse(result.structuredContent);
    if (!parsed.success) throw new TeamError('INTERNAL', `${name} returned an output that breaks its contract: ${parsed.error.message}`);
    return parsed.data as ToolOutput<N>;
  }

  /**
   * Ends the session: stdin closes (stdio) or the session is deleted (HTTP), and the server records
   * this agent's disconnect.
   */
  async close(): Promise<void> {
    try {
      if (this.http !== null) await this.http.terminateSession();
    } finally {
      await this.client.close();
    }
  }
}
