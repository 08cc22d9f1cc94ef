import { statusModel } from '../team-view/team-model';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { renderStatus } from '../team-view/render-text';
import { flagOption, type Command } from './command';

/** `codex-team status [TEAM]`: one team's agents, task progress, budget, early stop and spawn hints. */
export const statusCommand: Command = {
  name: 'status',
  summary: "Show a team: agents, task progress, budget, ready-to-finalize and whom to spawn",
  synopsis: '[TEAM] [--db PATH|URL] [--profiles-dir DIR] [--json]',
  details: TEAM_SOURCE_DETAILS,
  options: TEAM_SOURCE_OPTIONS,
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    return withTeamSource(args.values, io, async (source) => {
      const model = statusModel(await source.view(args.positionals[0]));
      io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify(model, null, 2)}\n` : renderStatus(model));
      return 0;
    });
  },
};
