import { join } from 'node:path';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, quantile, type BenchContext, type BenchReport, type Benchmark } from './benchmark';
import { BARE_SERVER, callTool, connectServer, interleavedSamples } from './mcp-client';

/**
 * Goals of the Codex integration issue: startup matters because Codex starts one server per thread.
 * The round trip is timed on team_inbox, the lightest call an agent makes every turn, which still
 * runs the whole pipeline (schema, session check in the store, permission, decision record, store
 * read, output contract, redaction). The lead's team_status, which also computes readiness hints,
 * is reported beside it without a goal so its cost stays visible.
 */
const COLD_START_RATIO_GOAL = 1.5;
const ROUND_TRIP_RATIO_GOAL = 2;

interface Contender {
  label: 'codex-team-mcp' | 'bare SDK server';
  args: string[];
}

async function coldStartMs(contender: Contender): Promise<number> {
  const { client, elapsedMs } = await connectServer(contender.args);
  await client.close();
  return elapsedMs;
}

/**
 * Round trips of two of our tools and of the bare server's tool, each on its own started server,
 * taken in turn call by call: drift in machine load and wake-ups fall on all three alike.
 */
async function measureRoundTrips(ours: Contender, bare: Contender, count: number): Promise<{ inbox: number[]; status: number[]; bare: number[] }> {
  const { client: oursClient } = await connectServer(ours.args);
  const { client: bareClient } = await connectServer(bare.args);
  try {
    await callTool(oursClient, 'team_start', { name: 'bench', objective: 'startup bench' });
    return await interleavedSamples(
      {
        inbox: () => callTool(oursClient, 'team_inbox', {}),
        bare: () => callTool(bareClient, 'bare_status', { note: 'bench' }),
        status: () => callTool(oursClient, 'team_status', {}),
      },
      Math.ceil(count / 10),
      count,
    );
  } finally {
    await oursClient.close();
    await bareClient.close();
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

  const trips = await measureRoundTrips(ours, bare, calls);
  context.progress(`round trip: ${calls} calls of each tool`);

  const coldRatio = median(oursStart) / median(bareStart);
  const tripRatio = median(trips.inbox) / median(trips.bare);
  const statusRatio = median(trips.status) / median(trips.bare);
  return {
    benchmark: 'startup',
    measurements: [
      { name: 'cold start codex-team-mcp p50', value: median(oursStart), unit: 'ms' },
      { name: 'cold start bare SDK server p50', value: median(bareStart), unit: 'ms' },
      { name: 'cold start ratio (p50)', value: coldRatio, unit: 'x' },
      { name: 'round trip codex-team-mcp team_inbox p50', value: median(trips.inbox), unit: 'ms' },
      { name: 'round trip codex-team-mcp team_inbox p99', value: quantile(trips.inbox, 0.99), unit: 'ms' },
      { name: 'round trip bare SDK server p50', value: median(trips.bare), unit: 'ms' },
      { name: 'round trip bare SDK server p99', value: quantile(trips.bare, 0.99), unit: 'ms' },
      { name: 'round trip ratio (p50)', value: tripRatio, unit: 'x' },
      { name: "round trip lead's team_status with hints p50", value: median(trips.status), unit: 'ms' },
      { name: "lead's team_status ratio (p50, no goal)", value: statusRatio, unit: 'x' },
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
