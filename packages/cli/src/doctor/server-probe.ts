import { ErrorBodySchema, TOOL_NAMES } from '@codex-team/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ConfiguredServer } from '../codex/codex-config';
import type { DoctorCheck } from './doctor-checks';

/** How long the probe waits for each step; Codex's own startup_timeout_sec is 30. */
const PROBE_TIMEOUT_MS = 15_000;

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
}

/**
 * Starts the registered server exactly as Codex would (its command, args and env, with PATH and
 * HOME) and checks what Codex needs: the MCP handshake, every tool listed, and a call answered by
 * a server whose store opened (an unbound `team_status` is NOT_BOUND; a server without its store
 * answers INTERNAL with the reason).
 */
export async function probeServer(entry: ConfiguredServer): Promise<DoctorCheck> {
  const name = 'server-start';
  const args = Array.isArray(entry.args) ? entry.args.filter((arg): arg is string => typeof arg === 'string') : [];
  const env: Record<string, string> = { ...stringRecord(entry.raw['env']) };
  for (const key of ['PATH', 'HOME', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  const transport = new StdioClientTransport({ command: String(entry.command), args, env, stderr: 'ignore' });
  const client = new Client({ name: 'codex-team-doctor', version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: PROBE_TIMEOUT_MS });
    const { tools } = await client.listTools(undefined, { timeout: PROBE_TIMEOUT_MS });
    if (tools.length !== TOOL_NAMES.length) {
      return { name, ok: false, detail: `the server lists ${tools.length} tools, this codex-team has ${TOOL_NAMES.length}`, fix: 'rerun codex-team install' };
    }
    const result = (await client.callTool({ name: 'team_status', arguments: {} }, CallToolResultSchema, { timeout: PROBE_TIMEOUT_MS })) as CallToolResult;
    const parsed = ErrorBodySchema.safeParse((JSON.parse(textOf(result) || '{}') as { error?: unknown }).error);
    if (parsed.success && parsed.data.code === 'NOT_BOUND') {
      return { name, ok: true, detail: `answers the MCP handshake with ${tools.length} tools, and its store is open` };
    }
    return {
      name,
      ok: false,
      detail: `the server started but ${parsed.success ? `answers ${parsed.data.code}: ${parsed.data.message}` : 'answered a call unexpectedly'}`,
      fix: 'fix what it says (often the store check above), then start a new Codex session',
    };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `the server did not complete the MCP handshake: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'rerun codex-team install; check that the command runs: the Codex entry above',
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}
