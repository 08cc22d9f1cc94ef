import { TeamError } from '@codex-team/contracts';
import { resolveDbPath } from '../codex/codex-paths';
import { DEMO_FAST_PACE, DEMO_PACE, DEMO_TEAMMATES, type DemoTeammate } from '../demo/demo-plan';
import { runDemo, type DemoOutcome } from '../demo/run-demo';
import { flagOption, stringOption, type Command } from './command';

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
  return [
    '',
    `run summary: team ${outcome.teamId} ${outcome.finalized ? 'finalized' : 'NOT finalized'} in ${(outcome.elapsedMs / 1000).toFixed(1)} s`,
    `  tasks: ${outcome.tasksDone}/${outcome.tasksTotal} done; artifacts: ${outcome.artifacts}; messages to the lead: ${outcome.messagesToLead}`,
    `  critical path (${outcome.criticalPath.durationMs} ms of work): ${outcome.criticalPath.titles.join(' -> ')}`,
    `  task time: mean ${outcome.taskMs.mean} ms, max ${outcome.taskMs.max} ms; orchestration decisions recorded: ${outcome.decisions}`,
    `  lead: its own codex-team-mcp (pid ${outcome.leadServerPid})`,
    ...outcome.teammates.map(
      (t) => `  ${t.name.padEnd(width)}  ${t.role.padEnd(11)}  ${String(t.tasksDone).padStart(2)} tasks  (own process, codex-team-mcp pid ${t.serverPid})`,
    ),
    `inspect it: codex-team status ${outcome.teamId} --db ${outcome.dbPath}`,
    `           codex-team report ${outcome.teamId} --html report.html --db ${outcome.dbPath}`,
    '',
  ].join('\n');
}

/** `codex-team demo`: a whole team of agent processes on the embedded store, with a live view. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run a complete demo team (lead + teammates, each with its own server) with a live view',
  synopsis: '[--db PATH] [--teammates N] [--fast] [--json]',
  details: [
    '--db PATH       store to use (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)',
    `--teammates N   teammates to spawn, ${MIN_TEAMMATES}-${MAX_TEAMMATES} (default ${DEMO_TEAMMATES.length})`,
    '--fast          short simulated work (seconds instead of tens of seconds)',
    '--json          print the outcome as JSON instead of the live view and summary',
    'No Codex account is needed: each agent is a scripted process speaking MCP to its own codex-team-mcp.',
  ],
  options: {
    db: { type: 'string' },
    teammates: { type: 'string' },
    fast: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const countText = stringOption(args.values, 'teammates') ?? String(DEMO_TEAMMATES.length);
    const count = Number(countText);
    if (!/^\d+$/.test(countText) || count < MIN_TEAMMATES || count > MAX_TEAMMATES) {
      throw new TeamError('INVALID_INPUT', `--teammates must be a whole number from ${MIN_TEAMMATES} to ${MAX_TEAMMATES}`);
    }
    const json = flagOption(args.values, 'json');
    const fast = flagOption(args.values, 'fast');
    const dbPath = resolveDbPath(stringOption(args.values, 'db'), io);
    if (!json) io.stdout.write(`codex-team demo: store ${dbPath}, ${count} teammates\n`);
    const outcome = await runDemo({
      dbPath,
      teammates: roster(count),
      workMs: [...(fast ? DEMO_FAST_PACE : DEMO_PACE).workMs],
      refreshMs: (fast ? DEMO_FAST_PACE : DEMO_PACE).refreshMs,
      timeoutMs: 300_000,
      out: json ? { write: () => true } : io.stdout,
      interactive: !json && io.stdoutIsTerminal,
    });
    io.stdout.write(json ? `${JSON.stringify(outcome, null, 2)}\n` : renderSummary(outcome));
    return outcome.finalized && outcome.tasksDone === outcome.tasksTotal ? 0 : 1;
  },
};
