import type { ErrorBody } from '@codex-team/contracts';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A successful call: the output as structuredContent, and the same JSON as text for clients that only read text. */
export function successResult(output: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(output) }], structuredContent: output };
}

/**
 * A refused or failed call. The body travels as JSON text only: the SDK Client validates any
 * structuredContent, error or not, against the tool's output schema and would throw on an
 * error body, so error results carry none.
 */
export function errorResult(body: ErrorBody): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: body }) }] };
}
