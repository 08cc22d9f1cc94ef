import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LIMITS, RandomIdGenerator, TeamError, TicketIssuer, systemClock, type AuditEvent, type Team } from '@codex-team/contracts';
import { ProfileCatalog, findBuiltinProfilesDir, type CodexThreadCap } from '@codex-team/policy-engine';
import { recoveryPolicy } from '@codex-team/recovery';
import { openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { readCodexConfig } from '../codex/codex-config';
import { DEFAULT_SERVER_NAME, checkServerName, resolveCodexHome, resolveProfilesDir, resolveStoreFile, resolveTeamHome } from '../codex/codex-paths';
import { codexThreadCapOf, mergeCodexConfigs } from '../codex/codex-thread-cap';
import { mcpServerBinPath } from '../codex/package-assets';
import { TeamClient } from '../mcp/team-client';
import { readDagFile } from '../runtime/dag-file';
import { GitWorktrees } from '../runtime/git-worktrees';
import { RunView, renderRunSummary } from '../runtime/run-view';
import { Supervisor, type LiveCounter, type RunOutcome } from '../runtime/supervisor';
import { CodexExecLauncher } from '../runtime/worker-process';
import { renderReportHtml } from '../team-view/report-html';
import { reportModel } from '../team-view/report-model';
import { maskedView } from '../team-view/team-source';
import { UsageError } from '../errors';
import { flagOption, stringOption, wholeOption, type Command, type OptionValues } from './command';

const DEFAULT_MAX_WORKERS = 6;
const DEFAULT_TICK_MS = 250;
const DEFAULT_SWEEP_MS = 1_000;
const STOP_GRACE_MS = 3_000;

/** Codex's cap on teammates, read from the Codex config the workers run with. */
function codexCap(codexHome: string): CodexThreadCap {
  return codexThreadCapOf(mergeCodexConfigs([readCodexConfig(join(codexHome, 'config.toml'))]));
}

async function findTeam(store: SqliteTeamStore, ref: string, dbPath: string): Promise<Team> {
  const teams = await store.listTeams();
  const byId = teams.find((team) => team.id === ref);
  if (byId !== undefined) return byId;
  const named = teams.filter((team) => team.name === ref);
  if (named.length === 1 && named[0] !== undefined) return named[0];
  if (named.length > 1) throw new TeamError('CONFLICT', `${named.length} teams are named "${ref}": give one of their ids`);
  throw new TeamError('NOT_FOUND', `no team with id or name "${ref}" in ${dbPath}`);
}

/** The team name a run gives its team: the objective's first words. */
function teamNameOf(objective: string): string {
  // Team names take letters, digits, space, dot, underscore and dash.
  const words = objective.replace(/[^A-Za-z0-9 ._-]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 40).trim();
  return `run ${words === '' ? 'team' : words}`;
}

function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.status === 'done') return 0;
  return outcome.status === 'interrupted' ? 130 : 1;
}

/**
 * `codex-team run "OBJECTIVE"`: the managed runtime. This process is the team's lead (bound by
 * team_start, or team_resume with --resume); it plans with one planner `codex exec` (or takes
 * --dag), launches each worker as its own `codex exec` bound by a join ticket in its prompt,
 * watches them, replaces those that die or hang, retires idle ones, and ends with a summary.
 */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run a team unattended: plan, launch real codex exec workers, watch, replace and retire them',
  synopsis:
    '"OBJECTIVE" [--dag FILE] [--repo DIR] [--teammates N] [--profile P] [--worktrees] [--max-workers N] [--json] | --resume TEAM [--db PATH] [...]',
  details: [
    'OBJECTIVE         what the team is to achieve; a planner codex exec turns it into a task DAG (team_task_create)',
    '--dag FILE        take the DAG from a YAML or JSON file ({tasks: [...]} or the list) instead of a planner',
    '--repo DIR        where workers work (default: the current directory)',
    '--teammates N     the team\'s max_threads (default: the profile\'s, lowered to Codex\'s cap)',
    '--profile P       the team\'s policy profile (fast, default, deep or yours)',
    '--worktrees       each worker in its own git worktree and branch of DIR; finished work is merged back in',
    '                  dependency order, and a conflict becomes a task naming the conflicting files',
    `--max-workers N   never more live codex exec workers than this (default ${DEFAULT_MAX_WORKERS})`,
    '--resume TEAM     pick up a team an earlier run left (by id or name), even one whose runtime was killed',
    '--db PATH         store file, SQLite only (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)',
    '--codex CMD       the codex command (default: codex on PATH)',
    '--codex-home DIR  the Codex home the workers use, read for Codex\'s thread cap (default: $CODEX_HOME, else ~/.codex)',
    `--name NAME       the MCP server key the workers get; the model sees mcp__NAME (default ${DEFAULT_SERVER_NAME})`,
    '--sandbox MODE    codex exec --sandbox for workers (default workspace-write)',
    '--report FILE     where the HTML report goes (default: $CODEX_TEAM_HOME/reports/TEAM.html)',
    `--lease-ms N / --sweep-ms N / --tick-ms N   claim lease, recovery sweep (default ${DEFAULT_SWEEP_MS}) and runtime tick (default ${DEFAULT_TICK_MS})`,
    '--retire-after-ms N  how long an idle worker stays a surplus before the rebalancing controller retires it',
    '                  (the runtime and every server it starts; default the controller\'s)',
    '--json            one JSON line per runtime event, then the outcome, instead of the live view',
    'Exits 0 only when every task is done; 130 after Ctrl-C (every worker stopped, the reason recorded).',
  ],
  options: {
    dag: { type: 'string' },
    repo: { type: 'string' },
    teammates: { type: 'string' },
    profile: { type: 'string' },
    worktrees: { type: 'boolean' },
    'max-workers': { type: 'string' },
    resume: { type: 'string' },
    db: { type: 'string' },
    codex: { type: 'string' },
    'codex-home': { type: 'string' },
    name: { type: 'string' },
    sandbox: { type: 'string' },
    report: { type: 'string' },
    'profiles-dir': { type: 'string' },
    'lease-ms': { type: 'string' },
    'sweep-ms': { type: 'string' },
    'tick-ms': { type: 'string' },
    'retire-after-ms': { type: 'string' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    return runManagedTeam(args.values, args.positionals, io);
  },
};

/** What a caller may swap in `runManagedTeam`: the slot accounting (a test's broken variant). */
export interface RunOverrides {
  countLive?: LiveCounter;
}

/** The `run` command's work, for the command and for in-process tests that swap a part in. */
export async function runManagedTeam(values: OptionValues, positionals: readonly string[], io: CliIo, overrides: RunOverrides = {}): Promise<number> {
  const resumeRef = stringOption(values, 'resume');
  const objective = positionals.join(' ').trim();
  if (resumeRef === undefined && objective === '') throw new UsageError('give the OBJECTIVE in quotes, or --resume TEAM');
  if (resumeRef !== undefined && (objective !== '' || stringOption(values, 'dag') !== undefined)) {
    throw new UsageError('--resume takes the team as it is: no OBJECTIVE or --dag with it');
  }
  const dagPath = stringOption(values, 'dag');
  const dag = dagPath === undefined ? undefined : readDagFile(resolve(io.cwd, dagPath));
  const teammates = wholeOption(values, 'teammates', 1, LIMITS.maxThreadsHardCap);
  const maxWorkers = wholeOption(values, 'max-workers', 1) ?? DEFAULT_MAX_WORKERS;
  const leaseMs = wholeOption(values, 'lease-ms', 100);
  const sweepMs = wholeOption(values, 'sweep-ms', 50) ?? DEFAULT_SWEEP_MS;
  const tickMs = wholeOption(values, 'tick-ms', 20) ?? DEFAULT_TICK_MS;
  const retireAfterMs = wholeOption(values, 'retire-after-ms', 0);
  // One policy for the runtime and every server it starts: they take the same rebalancing decisions.
  const recovery = recoveryPolicy({ leaseMs, retireAfterMs });
  const serverName = checkServerName(stringOption(values, 'name') ?? DEFAULT_SERVER_NAME);
  const json = flagOption(values, 'json');
  const repo = resolve(io.cwd, stringOption(values, 'repo') ?? '.');
  if (statSync(repo, { throwIfNoEntry: false })?.isDirectory() !== true) throw new UsageError(`--repo must be a directory, got "${repo}"`);
  const dbPath = resolveStoreFile(
    stringOption(values, 'db'),
    io,
    'codex-team run drives a team over a SQLite store file only (not yet over PostgreSQL: start servers with serve --db URL instead)',
  );
  const codexHome = resolveCodexHome(stringOption(values, 'codex-home'), io);
  const teamHome = resolveTeamHome(io);
  const profilesDir = resolveProfilesDir(stringOption(values, 'profiles-dir'), io);
  const cap = codexCap(codexHome);
  // Checked before the team is started: a repository unfit for --worktrees leaves nothing behind.
  const repoBase = flagOption(values, 'worktrees') ? await GitWorktrees.inspect(repo) : null;
  const { catalog } = ProfileCatalog.loadOrBuiltin({ builtinDir: findBuiltinProfilesDir(__dirname), userDir: profilesDir });
  const serverArgs = [
    '--profiles-dir', profilesDir,
    '--name', serverName,
    '--codex-thread-cap', String(cap.teammates),
    '--codex-thread-cap-from', cap.from,
    '--sweep-ms', String(sweepMs),
    ...(leaseMs === undefined ? [] : ['--lease-ms', String(leaseMs)]),
    ...(retireAfterMs === undefined ? [] : ['--retire-after-ms', String(retireAfterMs)]),
  ];
  // Ctrl-C stops every worker first: that takes up to the stop grace and a sweep.
  io.deferInterruptExit?.(STOP_GRACE_MS * 3);

  const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator(), profiles: catalog, codexThreadCap: cap });
  const lead = await TeamClient.start({ dbPath, clientName: 'codex-team-run', serverArgs });
  try {
    let teamId: string;
    if (resumeRef === undefined) {
      const started = await lead.call('team_start', {
        name: teamNameOf(objective),
        objective,
        ...(teammates === undefined ? {} : { max_threads: teammates }),
        ...(stringOption(values, 'profile') === undefined ? {} : { profile: stringOption(values, 'profile') }),
      });
      teamId = started.team.id;
      if (dag !== undefined) await lead.call('team_task_create', dag);
    } else {
      const team = await findTeam(store, resumeRef, dbPath);
      teamId = team.id;
      if (team.state !== 'active') throw new TeamError('TEAM_FINALIZED', `team ${team.name} (${team.id}) is finalized: nothing to resume`);
      // The runtime holds no ticket of its own: the operator (who holds the store) takes the lead's seat.
      const ticket = new TicketIssuer().issue('resume');
      await store.reissueLeadTicket(team.id, ticket.hash, 'codex-team run --resume: the runtime takes the lead seat again');
      await lead.call('team_resume', { ticket: ticket.ticket });
    }
    const worktrees = repoBase === null ? null : GitWorktrees.forTeam(repoBase, teamId, join(teamHome, 'worktrees', teamId));
    const startedAt = Date.now();
    const view = new RunView(io.stdout, json ? 'json' : io.stdoutIsTerminal ? 'live' : 'lines', startedAt);
    if (!json) io.stdout.write(`codex-team run: team ${teamId}, store ${dbPath}, Codex's cap ${cap.teammates}, at most ${maxWorkers} workers\n`);
    const events: AuditEvent[] = [];
    const logDir = join(teamHome, 'runs', teamId);
    const supervisor = new Supervisor({
      teamId,
      store,
      lead,
      launcher: new CodexExecLauncher({
        codexCommand: stringOption(values, 'codex') ?? 'codex',
        serverName,
        nodePath: io.execPath,
        serverArgs: [mcpServerBinPath(), '--db', dbPath, ...serverArgs],
        sandbox: stringOption(values, 'sandbox') ?? 'workspace-write',
        env: { ...io.env, CODEX_HOME: codexHome },
      }),
      recovery,
      profile: (name) => catalog.find(name).profile,
      codexCap: cap,
      serverName,
      maxWorkers,
      tickMs,
      workdir: repo,
      logDir,
      worktrees,
      dagGiven: dag !== undefined,
      stopGraceMs: STOP_GRACE_MS,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      ...(overrides.countLive === undefined ? {} : { countLive: overrides.countLive }),
      onEvent: (event) => view.event(event),
      onTick: (state, workers, decision) => {
        events.push(...state.newEvents);
        view.tick(state, workers, decision, () => maskedView({ snapshot: state.snapshot, events, tree: state.tree, threads: state.threads, profile: state.profile, now: state.now }));
      },
    });
    const outcome = await supervisor.run();
    const reportPath = resolve(io.cwd, stringOption(values, 'report') ?? join(teamHome, 'reports', `${teamId}.html`));
    const snapshot = await store.readTeam(teamId as Team['id']);
    const allEvents = await store.listAuditEvents(snapshot.team.id, { limit: 10_000 });
    const [tree, threads] = [await store.readTree(snapshot.team.id), await store.readTreeThreads(snapshot.team.id)];
    const finished = maskedView({ snapshot, events: allEvents, tree, threads, profile: catalog.find(snapshot.team.profile).profile, now: Date.now() });
    mkdirSync(join(reportPath, '..'), { recursive: true });
    writeFileSync(reportPath, renderReportHtml(reportModel(finished)));
    io.stdout.write(json ? `${JSON.stringify({ outcome, report: reportPath, logs: logDir })}\n` : renderRunSummary(outcome, reportPath, dbPath));
    return exitCodeOf(outcome);
  } finally {
    await lead.close();
    await store.close();
  }
}
