import { join } from 'node:path';
import { RandomIdGenerator, systemClock, type TeamId } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, quantile, type BenchContext, type BenchReport, type Benchmark } from './benchmark';
import { BARE_SERVER, callTool as call, connectServer, interleavedSamples } from './mcp-client';

/** A refusal costs what an allowed read costs (one record, no fsync), not more. */
const REFUSAL_VS_READ_GOAL = 1.5;

async function run(context: BenchContext): Promise<BenchReport> {
  const dbPath = join(context.workDir, 'authorization.db');
  const server = [mcpServerBinPath(), '--db', dbPath, '--log-level', 'warn'];
  const { client: lead } = await connectServer(server);
  const { client: reviewer } = await connectServer(server);
  const { client: bare } = await connectServer([BARE_SERVER]);
  try {
    const started = await call(lead, 'team_start', { name: 'authorization bench' });
    const team = started['team'] as { id: string; lead_agent_id: string };
    const spawned = await call(lead, 'team_spawn', { name: 'rex', role: 'reviewer' });
    await call(reviewer, 'team_join', { ticket: spawned['join_ticket'] });
    let sends = 0;
    const rounds = context.quick ? 100 : 1_000;
    const warmup = Math.ceil(rounds / 10);
    // The state change follows the read, so the read's queued decision is written by then.
    const samples = await interleavedSamples(
      {
        read: () => call(reviewer, 'team_status', {}),
        refused: () => call(reviewer, 'team_spawn', { name: 'eve', role: 'tester' }, { expectError: true }),
        write: () => {
          sends += 1;
          return call(reviewer, 'team_send', { to: team.lead_agent_id, body: `note ${sends}` });
        },
        baseline: () => call(bare, 'bare_status', { note: 'bench' }),
      },
      warmup,
      rounds,
    );
    context.progress(`${rounds} calls of each kind`);
    const callsMade = 3 + (warmup + rounds) * 3;

    const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
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
    const { read, refused, write, baseline } = samples;
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
