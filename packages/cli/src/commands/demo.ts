import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RandomIdGenerator, systemClock } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { OutputSink } from '../cli-io';
import { DEMO_FAST_PACE, DEMO_PACE, DEMO_TEAMMATES, type DemoTeammate } from '../demo/demo-plan';
import { runDemo, type DemoOutcome } from '../demo/run-demo';
import { flagOption, stringOption, wholeOption, type Command } from './command';

const EXTRA_TEAMMATES: readonly DemoTeammate[] = [
  { name: 'edsger', role: 'implementer' },
  { name: 'margaret', role: 'tester' },
];
const MIN_TEAMMATES = 3;
const MAX_TEAMMATES = 6;

function roster(count: number): DemoTeammate[] {
  return [...DEMO_TEAMMATES, ...EXTRA_TEAMMATES].slice(0, count);
}

function renderSummary(outcome: DemoOutcome): string {
  const width = Math.max(...outcome.teammates.map((t) => t.name.length));
  const db = outcome.db_path;
  return [
    '',
    `run summary: team ${outcome.team_id} ${outcome.finalized ? 'finalized' : 'NOT finalized'} in ${(outcome.elapsed_ms / 1000).toFixed(1)} s`,
    `  tasks: ${outcome.tasks_done}/${outcome.tasks_total} done; artifacts: ${outcome.artifacts}; messages to the lead: ${outcome.messages_to_lead}`,
    `  critical path (${outcome.critical_path.duration_ms} ms of work): ${outcome.critical_path.titles.join(' -> ')}`,
    `  task time: mean ${outcome.task_ms.mean} ms, max ${outcome.task_ms.max} ms; orchestration decisions recorded: ${outcome.decisions}`,
    `  lead: its own codex-team-mcp (pid ${outcome.lead_server_pid})`,
    ...outcome.teammates.map(
      (t) => `  ${t.name.padEnd(width)}  ${t.role.padEnd(11)}  ${String(t.tasks_done).padStart(2)} tasks  (own process, codex-team-mcp pid ${t.server_pid})`,
    ),
    `inspect it: codex-team status ${outcome.team_id} --db ${db}`,
    `           codex-team report ${outcome.team_id} --html report.html --db ${db}`,
    `           codex-team ui --db ${db}`,
    '',
  ].join('\n');
}

/** `codex-team demo`: a whole team of agent processes on the embedded store, with a live view. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run a complete demo team (lead + teammates, each with its own server) with a live view',
  synopsis: '[--db PATH] [--teammates N] [--fast] [--json]',
  details: [
    '--db PATH       store to use (default: a new store of its own in a fresh temporary folder, never your',
    '                default store; the summary says where it is)',
    `--teammates N   teammates to spawn, ${MIN_TEAMMATES}-${MAX_TEAMMATES} (default ${DEMO_TEAMMATES.length})`,
    '--fast          short simulated work (seconds instead of tens of seconds)',
    '--json          print the outcome as JSON instead of the live view and summary',
    'No Codex account is needed: each agent is a scripted process speaking MCP to its own codex-team-mcp.',
    'Ctrl-C stops every agent and exits 130.',
  ],
  options: {
    db: { type: 'string' },
    teammates: { type: 'string' },
    fast: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const count = wholeOption(args.values, 'teammates', MIN_TEAMMATES, MAX_TEAMMATES) ?? DEMO_TEAMMATES.length;
    const json = flagOption(args.values, 'json');
    const fast = flagOption(args.values, 'fast');
    const dbFlag = stringOption(args.values, 'db');
    const dbPath = dbFlag === undefined || dbFlag === '' ? join(mkdtempSync(join(tmpdir(), 'codex-team-demo-')), 'team.db') : resolve(io.cwd, dbFlag);
    // Open (and create) the store here first: a folder that cannot be written, or a file that is
    // not a store, is reported with its real cause before any agent process starts.
    await (await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() })).close();
    if (!json) io.stdout.write(`codex-team demo: store ${dbPath}, ${count} teammates\n`);
    const outcome = await runDemo({
      dbPath,
      teammates: roster(count),
      workMs: [...(fast ? DEMO_FAST_PACE : DEMO_PACE).workMs],
      refreshMs: (fast ? DEMO_FAST_PACE : DEMO_PACE).refreshMs,
      timeoutMs: 300_000,
      out: json ? new OutputSink({ write: () => true }) : io.stdout,
      interactive: !json && io.stdoutIsTerminal,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    io.stdout.write(json ? `${JSON.stringify(outcome, null, 2)}\n` : renderSummary(outcome));
    return outcome.finalized && outcome.tasks_done === outcome.tasks_total ? 0 : 1;
  },
};
