import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TeamError } from '@codex-team/contracts';
import { generateBearerToken } from '@codex-team/mcp-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, quantile, type BenchContext, type BenchReport, type Benchmark } from './benchmark';
import { callTool, connectServer, interleavedSamples } from './mcp-client';

/** The built `codex-team` binary beside this file (dist/bin.js). */
const CLI_BIN = join(__dirname, '..', 'bin.js');

/**
 * Goal of the many-machines issue: a call over the HTTP server costs at most a small multiple of
 * the same call over the agent's own stdio server. Same pipeline; HTTP adds framing, a loopback TCP
 * hop and the SDK's conversion to and from web-standard requests on both ends, which on a ~1 ms
 * call is of the same order as the call itself. Session open is reported without a goal: there
 * HTTP saves a whole process start.
 */
const HTTP_ROUND_TRIP_RATIO_GOAL = 3;

/** `codex-team serve --http 127.0.0.1:0` as a child; resolves with its endpoint once it serves. */
async function startHttpServer(dbPath: string, token: string): Promise<{ url: string; child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [CLI_BIN, 'serve', '--http', '127.0.0.1:0', '--db', dbPath, '--token-env', 'CODEX_TEAM_BENCH_TOKEN', '--log-level', 'warn'],
    { env: { ...process.env, CODEX_TEAM_BENCH_TOKEN: token }, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /serving MCP on (\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    void exited.then((code) => reject(new TeamError('INTERNAL', `codex-team serve exited with ${String(code)} before serving`)));
  });
  return { url, child, exited };
}

async function connectHttp(url: string, token: string): Promise<{ client: Client; elapsedMs: number }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'codex-team-bench', version: '1.0.0' });
  const started = performance.now();
  await client.connect(transport);
  return { client, elapsedMs: performance.now() - started };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const token = generateBearerToken();
  const opens = context.quick ? 5 : 21;
  const calls = context.quick ? 100 : 1_000;
  const stdioArgs = [mcpServerBinPath(), '--db', join(context.workDir, 'stdio.db'), '--log-level', 'warn'];
  const { url, child, exited } = await startHttpServer(join(context.workDir, 'http.db'), token);
  try {
    // Opening a session: a new agent thread costs a process start on stdio, one handshake over HTTP.
    await (await connectServer(stdioArgs)).client.close();
    const httpOpen: number[] = [];
    const stdioOpen: number[] = [];
    for (let i = 0; i < opens; i += 1) {
      const http = await connectHttp(url, token);
      httpOpen.push(http.elapsedMs);
      await http.client.close();
      const stdio = await connectServer(stdioArgs);
      stdioOpen.push(stdio.elapsedMs);
      await stdio.client.close();
    }
    context.progress(`session open: ${opens} of each`);

    const { client: httpClient } = await connectHttp(url, token);
    const { client: stdioClient } = await connectServer(stdioArgs);
    let trips: { http: number[]; stdio: number[] };
    try {
      await callTool(httpClient, 'team_start', { name: 'bench-http', objective: 'http bench' });
      await callTool(stdioClient, 'team_start', { name: 'bench-stdio', objective: 'http bench' });
      // Taken in turn call by call: drift in machine load falls on both alike.
      trips = await interleavedSamples(
        { http: () => callTool(httpClient, 'team_inbox', {}), stdio: () => callTool(stdioClient, 'team_inbox', {}) },
        Math.ceil(calls / 10),
        calls,
      );
    } finally {
      await httpClient.close();
      await stdioClient.close();
    }
    context.progress(`round trip: ${calls} team_inbox calls over each transport`);
    const ratio = median(trips.http) / median(trips.stdio);
    return {
      benchmark: 'http',
      measurements: [
        { name: 'round trip HTTP team_inbox p50', value: median(trips.http), unit: 'ms' },
        { name: 'round trip HTTP team_inbox p99', value: quantile(trips.http, 0.99), unit: 'ms' },
        { name: 'round trip stdio team_inbox p50', value: median(trips.stdio), unit: 'ms' },
        { name: 'round trip stdio team_inbox p99', value: quantile(trips.stdio, 0.99), unit: 'ms' },
        { name: 'round trip ratio HTTP / stdio (p50)', value: ratio, unit: 'x' },
        { name: 'session open HTTP (initialize) p50', value: median(httpOpen), unit: 'ms' },
        { name: 'session open stdio (process start + initialize) p50', value: median(stdioOpen), unit: 'ms' },
        { name: 'session open ratio HTTP / stdio (p50, no goal)', value: median(httpOpen) / median(stdioOpen), unit: 'x' },
      ],
      goals: [benchGoal('tool round trip over HTTP vs stdio', ratio, 'at_most', HTTP_ROUND_TRIP_RATIO_GOAL, 'x')],
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** One tool round trip over Streamable HTTP beside the same call over stdio, in the same run. */
export const httpRoundTripBenchmark: Benchmark = {
  name: 'http',
  summary: 'tool round trip and session open over codex-team serve --http, as ratios against stdio',
  run,
};
