import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TeamError } from '@codex-team/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** The baseline server of the benchmarks: the smallest honest SDK server (bare-sdk-server.ts). */
export const BARE_SERVER = join(__dirname, 'bare-sdk-server.js');

/**
 * Spawns `node ...args` and completes the MCP initialize handshake (what Codex waits for at
 * start); `elapsedMs` is the time that took.
 */
export async function connectServer(args: readonly string[]): Promise<{ client: Client; elapsedMs: number }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...args], stderr: 'ignore' });
  const client = new Client({ name: 'codex-team-bench', version: '1.0.0' });
  const started = performance.now();
  await client.connect(transport);
  return { client, elapsedMs: performance.now() - started };
}

/**
 * One tools/call; its structured output. Throws when the result is an error and none was expected,
 * or the other way round.
 */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  options: { expectError?: boolean; timeoutMs?: number } = {},
): Promise<Record<string, unknown>> {
  const expectError = options.expectError ?? false;
  const result = await client.callTool({ name, arguments: args }, undefined, options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs });
  if ((result.isError === true) !== expectError) {
    const content = JSON.stringify(result.content).slice(0, 300);
    throw new TeamError('INTERNAL', `${name} ${expectError ? 'was not refused' : 'failed'}: ${content}`);
  }
  return (result.structuredContent ?? {}) as Record<string, unknown>;
}

/**
 * Wall times of every kind of call, taken in turn call by call (`warmUp` rounds first, unrecorded),
 * so drift in machine load and wake-ups fall on all kinds alike.
 */
export async function interleavedSamples<Name extends string>(
  calls: Readonly<Record<Name, () => Promise<unknown>>>,
  warmUp: number,
  rounds: number,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(calls) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < warmUp + rounds; round += 1) {
    for (const name of names) {
      const started = performance.now();
      await calls[name]();
      if (round >= warmUp) samples[name].push(performance.now() - started);
    }
  }
  return samples;
}
