import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, quantile, type BenchContext, type BenchReport, type Benchmark } from './benchmark';

/** The baseline server, built beside this file (dist/bench/bare-sdk-server.js). */
const BARE_SERVER = join(__dirname, 'bare-sdk-server.js');

/** Goals of the Codex integration issue: startup matters because Codex starts one server per thread. */
const COLD_START_RATIO_GOAL = 1.5;
const ROUND_TRIP_RATIO_GOAL = 2;

interface Contender {
  label: 'codex-team-mcp' | 'bare SDK server';
  args: string[];
}

async function connect(contender: Contender): Promise<{ client: Client; elapsedMs: number }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: contender.args, stderr: 'ignore' });
  const client = new Client({ name: 'codex-team-bench', version: '1.0.0' });
  const started = performance.now();
  // connect() spawns the process and completes the initialize handshake: what Codex waits for.
  await client.connect(transport);
  return { client, elapsedMs: performance.now() - started };
}

async function coldStartMs(contender: Contender): Promise<number> {
  const { client, elapsedMs } = await connect(contender);
  await client.close();
  return elapsedMs;
}

/** Round trips of one tools/call on an already started server. */
async function roundTripsMs(call: () => Promise<unknown>, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function measureOurRoundTrips(ours: Contender, count: number): Promise<number[]> {
  const { client } = await connect(ours);
  try {
    const started = await client.callTool({ name: 'team_start', arguments: { name: 'bench', objective: 'startup bench' } });
    if (started.isError === true) throw new Error(`team_start failed: ${JSON.stringify(started.content)}`);
    const call = async (): Promise<unknown> => {
      const result = await client.callTool({ name: 'team_status', arguments: {} });
      if (result.isError === true) throw new Error(`team_status failed: ${JSON.stringify(result.content)}`);
      return result;
    };
    await roundTripsMs(call, Math.ceil(count / 10));
    return await roundTripsMs(call, count);
  } finally {
    await client.close();
  }
}

async function measureBareRoundTrips(bare: Contender, count: number): Promise<number[]> {
  const { client } = await connect(bare);
  try {
    const call = (): Promise<unknown> => client.callTool({ name: 'bare_status', arguments: { note: 'bench' } });
    await roundTripsMs(call, Math.ceil(count / 10));
    return await roundTripsMs(call, count);
  } finally {
    await client.close();
  }
}

async function run(context: BenchContext): Promise<BenchReport> {
  const ours: Contender = { label: 'codex-team-mcp', args: [mcpServerBinPath(), '--db', join(context.workDir, 'startup.db'), '--log-level', 'warn'] };
  const bare: Contender = { label: 'bare SDK server', args: [BARE_SERVER] };
  const starts = context.quick ? 5 : 21;
  const calls = context.quick ? 100 : 1_000;

  // The first start creates the store file; agents' servers open an existing one, so warm it up.
  await coldStartMs(ours);
  await coldStartMs(bare);
  const oursStart: number[] = [];
  const bareStart: number[] = [];
  for (let i = 0; i < starts; i += 1) {
    // Alternate who goes first so drift in machine load falls on both alike.
    const pair = i % 2 === 0 ? [ours, bare] : [bare, ours];
    for (const contender of pair) {
      (contender === ours ? oursStart : bareStart).push(await coldStartMs(contender));
    }
  }
  context.progress(`cold start: ${starts} starts each`);

  const oursTrips = await measureOurRoundTrips(ours, calls);
  const bareTrips = await measureBareRoundTrips(bare, calls);
  context.progress(`round trip: ${calls} calls each`);

  const coldRatio = median(oursStart) / median(bareStart);
  const tripRatio = median(oursTrips) / median(bareTrips);
  return {
    benchmark: 'startup',
    measurements: [
      { name: 'cold start codex-team-mcp p50', value: median(oursStart), unit: 'ms' },
      { name: 'cold start bare SDK server p50', value: median(bareStart), unit: 'ms' },
      { name: 'cold start ratio (p50)', value: coldRatio, unit: 'x' },
      { name: 'round trip codex-team-mcp team_status p50', value: median(oursTrips), unit: 'ms' },
      { name: 'round trip codex-team-mcp team_status p99', value: quantile(oursTrips, 0.99), unit: 'ms' },
      { name: 'round trip bare SDK server p50', value: median(bareTrips), unit: 'ms' },
      { name: 'round trip bare SDK server p99', value: quantile(bareTrips, 0.99), unit: 'ms' },
      { name: 'round trip ratio (p50)', value: tripRatio, unit: 'x' },
    ],
    goals: [
      benchGoal('cold start vs bare SDK server', coldRatio, 'at_most', COLD_START_RATIO_GOAL, 'x'),
      benchGoal('tool round trip vs bare SDK server', tripRatio, 'at_most', ROUND_TRIP_RATIO_GOAL, 'x'),
    ],
  };
}

/** Cold start (spawn to initialize answered) and one tool round trip, against a bare SDK server. */
export const startupBenchmark: Benchmark = {
  name: 'startup',
  summary: 'cold start and tool round trip of codex-team-mcp over stdio, as ratios against a bare SDK server',
  run,
};
