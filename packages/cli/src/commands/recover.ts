import { recoveryActionOf, recoveryPolicy, runRecoverySweep, type SweepReport } from '@codex-team/recovery';
import { resolveTeam } from '../team-view/team-source';
import { flagOption, stringOption, wholeOption, type Command } from './command';
import { withWritableStore } from './operator-store';


function reportJson(report: SweepReport): Record<string, unknown> {
  return {
    now: new Date(report.now).toISOString(),
    considered: report.considered,
    applied: report.applied.map(({ step, outcome }) => ({
      ...recoveryActionOf(step),
      team_id: step.teamId,
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
  const lines = report.applied.map(({ step, outcome }) => {
    const { action, subject_id } = recoveryActionOf(step);
    return `  ${action} ${subject_id} -> ${outcome}  [${step.rule}] ${step.reason}`;
  });
  return [`recovery took ${report.applied.length} action(s) (looked at ${seen}):`, ...lines, `the lead of each team concerned has a notice in its inbox`, ''].join('\n');
}

/**
 * `codex-team recover`: one recovery sweep of the store, as every server process runs on its timer.
 * Safe to run at any time and in several places at once: each step is applied at most once.
 */
export const recoverCommand: Command = {
  name: 'recover',
  summary: 'Run the sweep now: expired claims, lost or idle teammates, idle teams, lapsed modes',
  synopsis: '[--db PATH|URL] [--team TEAM] [--grace-ms N] [--stale-ms N] [--max-attempts N] [--profiles-dir DIR] [--json]',
  details: [
    '--db PATH|URL      store file or postgres:// URL to sweep (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)',
    '--team TEAM        sweep only this team, by id or name (default: every active team)',
    '--grace-ms N       how long a disconnected agent keeps its claims (default 15000)',
    '--stale-ms N       a teammate silent this long is lost and frees its slot, for every team (default:',
    '                   each team profile\'s idle.agent_timeout_ms, at least two leases)',
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
    const graceMs = wholeOption(args.values, 'grace-ms');
    const staleAfterMs = wholeOption(args.values, 'stale-ms');
    const maxAttempts = wholeOption(args.values, 'max-attempts');
    const teamRef = stringOption(args.values, 'team');
    const policy = recoveryPolicy({ graceMs, staleAfterMs, maxAttempts });
    return withWritableStore(args.values, io, async (store, location) => {
      const team = teamRef === undefined ? undefined : resolveTeam(await store.listTeams(), teamRef, location.shown);
      const report = await runRecoverySweep(store, policy, team === undefined ? {} : { teamId: team.id });
      io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify(reportJson(report), null, 2)}\n` : reportText(report));
      return 0;
    });
  },
};
