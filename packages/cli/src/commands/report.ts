import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { renderReportHtml } from '../team-view/report-html';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { stringOption, type Command } from './command';

/** `codex-team report TEAM --html out.html`: a self-contained page with the DAG, timelines and run summary. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'Write a self-contained HTML report of a team: DAG, timeline per agent, run summary',
  synopsis: 'TEAM --html FILE [--db PATH] [--profiles-dir DIR]',
  details: [...TEAM_SOURCE_DETAILS.filter((line) => !line.startsWith('--json')), '--html FILE      where to write the page'],
  options: { db: TEAM_SOURCE_OPTIONS['db'] ?? { type: 'string' }, 'profiles-dir': { type: 'string' }, html: { type: 'string' } },
  allowPositionals: true,
  run(args, io) {
    const html = stringOption(args.values, 'html');
    if (html === undefined || html === '') throw new TeamError('INVALID_INPUT', '--html FILE is required');
    const [team] = args.positionals;
    if (team === undefined) throw new TeamError('INVALID_INPUT', 'give the team (id or name) to report on');
    return withTeamSource(args.values, io, async (source) => {
      const view = await source.view(team);
      if (view.profile === null) {
        throw new TeamError('NOT_FOUND', `profile ${view.snapshot.team.profile} of team ${view.snapshot.team.name} is not on this machine (see --profiles-dir)`);
      }
      const target = resolve(io.cwd, html);
      writeFileSync(target, renderReportHtml(view));
      io.stdout.write(`wrote ${target} (${view.snapshot.tasks.length} tasks, ${view.snapshot.agents.length} agents)\n`);
      return 0;
    });
  },
};
