import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeClock, SequentialIdGenerator, TeamError, type TeamId } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, quantile, type BenchContext, type BenchReport, type Benchmark } from './benchmark';

const BARE_SERVER = join(__dirname, 'bare-sdk-server.js');

/** A refusal costs what an allowed read costs (one record, no fsync), not more. */
const REFUSAL_VS_READ_GOAL = 1.5;

async function connect(args: string[]): Promise<Client> {
  const client = new Client({ name: 'codex-team-bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' }));
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>, expectError = false): Promise<Record<string, unknown>> {
  const result = await client.callTool({ name, arguments: args });
  if ((result.isError === true) !== expectError) {
    throw new TeamError('INTERNAL', `${name} ${expectError ? 'was not refused' : 'failed'}: ${JSON.stringify(result.content)}`);
  }
  return (result.structuredContent ?? {}) as Record<string, unknown>;
}

interface Kind {
  name: string;
  run: () => Promise<unknown>;
  samples: number[];
}

async function run(context: BenchContext): Promise<BenchReport> {
  const dbPath = join(context.workDir, 'authorization.db');
  const server = [mcpServerBinPath(), '--db', dbPath, '--log-level', 'warn'];
  const lead = await connect(server);
  const reviewer = await connect(server);
  const bare = await connect([BARE_SERVER]);
  try {
    const started = await call(lead, 'team_start', { name: 'authorization bench' });
    const team = started['team'] as { id: string; lead_agent_id: string };
    const spawned = await call(lead, 'team_spawn', { name: 'rex', role: 'reviewer' });
    await call(reviewer, 'team_join', { ticket: spawned['join_ticket'] });
    let sends = 0;
    const kinds: Kind[] = [
      { name: 'allowed read (team_status)', run: () => call(reviewer, 'team_status', {}), samples: [] },
      { name: 'refused call (team_spawn by a reviewer)', run: () => call(reviewer, 'team_spawn', { name: 'eve', role: 'tester' }, true), samples: [] },
      {
        name: 'allowed state change (team_send)',
        run: () => {
          sends += 1;
          return call(reviewer, 'team_send', { to: team.lead_agent_id, body: `note ${sends}` });
        },
        samples: [],
      },
      { name: 'bare SDK server', run: () => bare.callTool({ name: 'bare_status', arguments: { note: 'bench' } }), samples: [] },
    ];
    const rounds = context.quick ? 100 : 1_000;
    const warmup = Math.ceil(rounds / 10);
    // Rounds interleave the kinds, so drift in machine load falls on all of them alike.
    for (let round = 0; round < warmup + rounds; round += 1) {
      for (const kind of kinds) {
        const begun = performance.now();
        await kind.run();
        if (round >= warmup) kind.samples.push(performance.now() - begun);
      }
    }
    context.progress(`${rounds} calls of each kind`);
    const callsMade = 3 + (warmup + rounds) * 3;

    const store = await openSqliteTeamStore({ path: dbPath, clock: new FakeClock(), ids: new SequentialIdGenerator() });
    let decisions;
    try {
      decisions = [];
      for (let after = 0; ; ) {
        const page = await store.listAuthzDecisions({ teamId: team.id as TeamId, afterSeq: after, limit: 10_000 });
        decisions.push(...page);
        if (page.length < 10_000) break;
        after = page[page.length - 1]?.seq ?? after;
      }
    } finally {
      await store.close();
    }
    const sendDecisions = decisions.filter((d) => d.tool === 'team_send');
    const inTransaction = sendDecisions.filter((d) => d.audit_seqs !== null).length / Math.max(1, sendDecisions.length);
    const [read, refused, write, baseline] = kinds.map((kind) => kind.samples) as [number[], number[], number[], number[]];
    const refusalRatio = median(refused) / median(read);
    return {
      benchmark: 'authorization',
      measurements: [
        { name: 'allowed read p50', value: median(read), unit: 'ms' },
        { name: 'allowed read p99', value: quantile(read, 0.99), unit: 'ms' },
        { name: 'refused call p50', value: median(refused), unit: 'ms' },
        { name: 'refused call p99', value: quantile(refused, 0.99), unit: 'ms' },
        { name: 'allowed state change p50', value: median(write), unit: 'ms' },
        { name: 'allowed state change p99', value: quantile(write, 0.99), unit: 'ms' },
        { name: 'bare SDK server p50', value: median(baseline), unit: 'ms' },
        { name: 'allowed read vs bare SDK server (p50)', value: median(read) / median(baseline), unit: 'x' },
        { name: 'refused call vs allowed read (p50)', value: refusalRatio, unit: 'x' },
        { name: 'decision records per tool call', value: decisions.length / callsMade, unit: 'records' },
        { name: 'state changes recorded in their own transaction', value: inTransaction, unit: 'share' },
      ],
      goals: [
        benchGoal('every tool call has exactly one decision record', Math.abs(decisions.length - callsMade), 'at_most', 0, 'calls off'),
        benchGoal('allowed state changes record their decision in their own transaction', inTransaction, 'at_least', 1, 'share'),
        benchGoal('a refused call costs no more than an allowed read', refusalRatio, 'at_most', REFUSAL_VS_READ_GOAL, 'x'),
      ],
    };
  } finally {
    await Promise.all([lead.close(), reviewer.close(), bare.close()]);
  }
}

/** What the authorization step and its decision log cost per call, over stdio with the built server. */
export const authorizationBenchmark: Benchmark = {
  name: 'authorization',
  summary: 'round trips of allowed reads, refusals and state changes with their decision records, against a bare SDK server',
  run,
};
