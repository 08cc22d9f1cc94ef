import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { TeamError, TeamIdSchema, toBase32, type Clock, type IdGenerator } from '@codex-team/contracts';
import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { recoveryPolicy, runRecoverySweep, withProfileAttempts, type SweepReport } from '@codex-team/recovery';
import { openSqliteTeamStore } from '@codex-team/store';
import { resolveDbPath, resolveProfilesDir } from '../codex/codex-paths';
import { flagOption, stringOption, type Command, type OptionValues } from './command';

// The CLI is a process edge: it reads the wall clock and makes random ids (the notice's message id).
const wallClock: Clock = { now: () => Date.now() };
const randomIds: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

function whole(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new TeamError('INVALID_INPUT', `--${name} must be a whole number of milliseconds or a count`);
  return Number(text);
}

function reportJson(report: SweepReport): Record<string, unknown> {
  return {
    now: new Date(report.now).toISOString(),
    considered: report.considered,
    applied: report.applied.map(({ step, outcome }) => ({
      action: step.kind === 'reclaim_task' ? 'task.recover' : 'agent.lost',
      team_id: step.teamId,
      subject_id: step.kind === 'reclaim_task' ? step.taskId : step.agentId,
      outcome,
      rule: step.rule,
      reason: step.reason,
    })),
    skipped: report.skipped.length,
    notices: report.notices.length,
  };
}

function reportText(report: SweepReport): string {
  const { teams, claims, agents } = report.considered;
  const seen = `${teams} active team(s), ${claims} claim(s) in flight, ${agents} agent(s)`;
  if (report.applied.length === 0) return `nothing to recover (looked at ${seen})\n`;
  const lines = report.applied.map(
    ({ step, outcome }) =>
      `  ${step.kind === 'reclaim_task' ? `task ${step.taskId}` : `agent ${step.agentId}`} -> ${outcome}  [${step.rule}] ${step.reason}`,
  );
  return [`recovery took ${report.applied.length} action(s) (looked at ${seen}):`, ...lines, `the lead of each team concerned has a notice in its inbox`, ''].join('\n');
}

/**
 * `codex-team recover`: one recovery sweep of the store, as every server process runs on its timer.
 * Safe to run at any time and in several places at once: each step is applied at most once.
 */
export const recoverCommand: Command = {
  name: 'recover',
  summary: 'Take back expired claims and free the slots of lost teammates now',
  synopsis: '[--db PATH] [--team ID] [--grace-ms N] [--stale-ms N] [--max-attempts N] [--profiles-dir DIR] [--json]',
  details: [
    '--db PATH          store to sweep (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)',
    '--team ID          sweep only this team (default: every active team)',
    '--grace-ms N       how long a disconnected agent keeps its claims (default 15000)',
    '--stale-ms N       a teammate silent this long is lost and frees its slot (default 600000)',
    '--max-attempts N   claims of a task before a lost claim fails it, for every team (default: each',
    '                   team profile\'s lease.max_attempts, else 3)',
    '--profiles-dir DIR the user\'s profile directory (default: $CODEX_TEAM_HOME/profiles)',
    '--json             print what was done as JSON',
  ],
  options: {
    db: { type: 'string' },
    team: { type: 'string' },
    'grace-ms': { type: 'string' },
    'stale-ms': { type: 'string' },
    'max-attempts': { type: 'string' },
    'profiles-dir': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const dbPath = resolveDbPath(stringOption(args.values, 'db'), io);
    if (!existsSync(dbPath)) throw new TeamError('NOT_FOUND', `no store at ${dbPath}`);
    const teamText = stringOption(args.values, 'team');
    const team = teamText === undefined ? undefined : TeamIdSchema.safeParse(teamText);
    if (team !== undefined && !team.success) throw new TeamError('INVALID_INPUT', `--team must be a team id (tm_...), got ${teamText}`);
    const userDir = resolveProfilesDir(stringOption(args.values, 'profiles-dir'), io);
    const { catalog } = ProfileCatalog.loadOrBuiltin({ builtinDir: findBuiltinProfilesDir(__dirname), userDir });
    const policy = withProfileAttempts(
      recoveryPolicy({
        graceMs: whole(args.values, 'grace-ms'),
        staleAfterMs: whole(args.values, 'stale-ms'),
        maxAttempts: whole(args.values, 'max-attempts'),
      }),
      catalog.maxAttemptsByProfile(),
    );
    const store = await openSqliteTeamStore({ path: dbPath, clock: wallClock, ids: randomIds });
    try {
      const report = await runRecoverySweep(store, policy, team === undefined ? {} : { teamId: team.data });
      io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify(reportJson(report), null, 2)}\n` : reportText(report));
      return 0;
    } finally {
      await store.close();
    }
  },
};
