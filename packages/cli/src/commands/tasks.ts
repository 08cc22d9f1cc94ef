import { TaskStatusSchema } from '@codex-team/contracts';
import { UsageError } from '../errors';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { renderTasks } from '../team-view/render-text';
import { flagOption, stringOption, type Command } from './command';

/** `codex-team tasks [TEAM]`: the team's task DAG as a table, optionally filtered by status. */
export const tasksCommand: Command = {
  name: 'tasks',
  summary: "List a team's tasks with status, role, owner and dependencies",
  synopsis: '[TEAM] [--status S[,S...]] [--db PATH|URL] [--json]',
  details: [...TEAM_SOURCE_DETAILS, `--status S       only these statuses (${TaskStatusSchema.options.join(', ')})`],
  options: { ...TEAM_SOURCE_OPTIONS, status: { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const filter = stringOption(args.values, 'status')?.split(',').map((s) => s.trim()).filter(Boolean);
    for (const status of filter ?? []) {
      if (!TaskStatusSchema.safeParse(status).success) {
        throw new UsageError(`--status ${JSON.stringify(status)} is not one of ${TaskStatusSchema.options.join(', ')}`);
      }
    }
    return withTeamSource(args.values, io, async (source) => {
      const { snapshot } = await source.view(args.positionals[0]);
      const tasks = filter === undefined ? snapshot.tasks : snapshot.tasks.filter((task) => filter.includes(task.status));
      io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify({ team_id: snapshot.team.id, tasks }, null, 2)}\n` : renderTasks(tasks, snapshot.agents));
      return 0;
    });
  },
};
