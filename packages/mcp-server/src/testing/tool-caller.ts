import {
  ErrorBodySchema,
  TOOL_CONTRACTS,
  type ErrorBody,
  type ErrorCode,
  type ToolName,
  type ToolOutput,
} from '@codex-team/contracts';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * Test helper around an SDK Client: `ok` expects a success and returns its output checked against
 * the contract; `fails` expects an error result and returns its body. Clients here have listed the
 * tools first, so the SDK also checks each structuredContent against the advertised JSON Schema.
 */
export class ToolCaller {
  constructor(readonly client: Client) {}

  /** The raw result of one tools/call. */
  async call(name: string, args: unknown): Promise<CallToolResult> {
    const result = await this.client.callTool(
      { name, arguments: args as Record<string, unknown> },
      CallToolResultSchema,
      { timeout: 120_000 },
    );
    return result as CallToolResult;
  }

  async ok<N extends ToolName>(name: N, args: unknown = {}): Promise<ToolOutput<N>> {
    const result = await this.call(name, args);
    if (result.isError === true) throw new Error(`${name} failed: ${textOf(result)}`);
    const parsed = TOOL_CONTRACTS[name].output.safeParse(result.structuredContent);
    if (!parsed.success) throw new Error(`${name} output breaks its contract: ${parsed.error.message}`);
    if (textOf(result) !== JSON.stringify(result.structuredContent)) {
      throw new Error(`${name}: text content differs from structuredContent`);
    }
    return parsed.data as ToolOutput<N>;
  }

  async fails(name: string, args: unknown = {}): Promise<ErrorBody> {
    const result = await this.call(name, args);
    return errorBodyOf(name, result);
  }

  /** The error code of a call expected to fail. */
  async code(name: string, args: unknown = {}): Promise<ErrorCode> {
    return (await this.fails(name, args)).code;
  }
}

export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}

/** The ErrorBody of an error result; throws when the result is a success or badly shaped. */
export function errorBodyOf(name: string, result: CallToolResult): ErrorBody {
  if (result.isError !== true) throw new Error(`${name} was expected to fail but returned ${textOf(result).slice(0, 300)}`);
  if (result.structuredContent !== undefined) throw new Error(`${name}: an error result must not carry structuredContent`);
  const parsed = JSON.parse(textOf(result)) as { error?: unknown };
  return ErrorBodySchema.parse(parsed.error);
}
