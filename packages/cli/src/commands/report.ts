import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TeamError, fileAccessError } from '@codex-team/contracts';
import { UsageError } from '../errors';
import { renderReportHtml } from '../team-view/report-html';
import { reportModel } from '../team-view/report-model';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { flagOption, stringOption, type Command } from './command';

/** `codex-team report [TEAM] --html FILE | --json`: the team's report as a self-contained page or as JSON. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'Report on a team (HTML page or JSON): DAG, timeline, messages, artifacts, recovery, run summary',
  synopsis: '[TEAM] (--html FILE | --json) [--db PATH|URL] [--profiles-dir DIR]',
  details: [
    ...TEAM_SOURCE_DETAILS.filter((line) => !line.startsWith('--json')),
    '--html FILE      write a self-contained page (no network, no script) to FILE',
    '--json           print the report as JSON (with --html, the page is written too)',
  ],
  options: { ...TEAM_SOURCE_OPTIONS, html: { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const html = stringOption(args.values, 'html');
    const json = flagOption(args.values, 'json');
    if (html === '') throw new UsageError('--html needs a file name');
    if (html === undefined && !json) throw new UsageError('give --html FILE to write the page, or --json to print the report');
    return withTeamSource(args.values, io, async (source) => {
      const view = await source.view(args.positionals[0]);
      if (view.profile === null) {
        throw new TeamError('NOT_FOUND', `profile ${view.snapshot.team.profile} of team ${view.snapshot.team.name} is not on this machine (see --profiles-dir)`);
      }
      const model = reportModel(view);
      if (html !== undefined) {
        const target = resolve(io.cwd, html);
        try {
          writeFileSync(target, renderReportHtml(model));
        } catch (error) {
          throw fileAccessError('write the report to', target, error);
        }
        if (!json) io.stdout.write(`wrote ${target} (${view.snapshot.tasks.length} tasks, ${view.snapshot.agents.length} agents)\n`);
      }
      if (json) io.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
      return 0;
    });
  },
};
