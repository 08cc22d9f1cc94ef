#!/usr/bin/env node
// The baseline of the startup benchmark: the smallest honest MCP server the SDK makes, on stdio,
// with one tool that parses its input and returns structured content, as ours do. codex-team-mcp's
// cold start and round trip are reported as ratios against this process, measured in the same run.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'bare-sdk-server', version: '1.0.0' });
server.registerTool(
  'bare_status',
  {
    description: 'Echo a small status document',
    inputSchema: { note: z.string().max(200).optional() },
    outputSchema: { ok: z.boolean(), note: z.string() },
  },
  ({ note }) => {
    const structuredContent = { ok: true, note: note ?? '' };
    return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
  },
);
void server.connect(new StdioServerTransport());
