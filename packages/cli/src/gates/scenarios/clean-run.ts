import { InboxOutputSchema, TeamStartOutputSchema } from '@codex-team/contracts';
import { mcpCall, type AgentProgram } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, closeAll, collect, nameIn, spawnTeammate, worker } from './script-steps';

// A lead and three teammates work a 5-task DAG to a finalized team, every task with evidence.

interface Facts {
  done: string[];
}

const TITLES = { design: 'Design the API', api: 'Build the API', cli: 'Build the CLI', tests: 'Test the build', review: 'Review the build' };

function* lead(world: World<Facts>): AgentProgram {
  TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'clean run', objective: 'Ship a tiny feature' })).json);
  yield mcpCall('team_task_create', {
    tasks: [
      { key: 'design', title: TITLES.design, required_role: 'architect' },
      { key: 'api', title: TITLES.api, required_role: 'builder', depends_on: ['design'] },
      { key: 'cli', title: TITLES.cli, required_role: 'builder', depends_on: ['design'] },
      { key: 'tests', title: TITLES.tests, required_role: 'tester', depends_on: ['api', 'cli'] },
      { key: 'review', title: TITLES.review, required_role: 'architect', depends_on: ['tests'] },
    ],
  });
  yield mcpCall('team_status');
  const ids: string[] = [];
  for (const [name, role] of [['ada', 'architect'], ['bob', 'builder'], ['tess', 'tester']] as const) ids.push(yield* spawnTeammate(V1, name, role));
  yield world.untilTeammatesFinished(3);
  yield* collect(V1, ids);
  const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
  yield mcpCall('team_inbox', { ack: inbox.messages.map((message) => message.id) });
  yield mcpCall('team_finalize', { summary: inbox.messages.map((message) => message.body).sort().join('; ') });
  yield* closeAll(V1, ids);
  return 'LEAD-FINAL: clean run finalized';
}

export const cleanRunScenario = codexScenario<Facts>({
  name: 'clean-run',
  summary: 'lead + 3 teammates (Codex v1) work a 5-task DAG to a finalized team',
  surface: 'v1',
  prompt: 'Use a codex-team team to ship a tiny feature.',
  leadFinal: 'LEAD-FINAL: clean run finalized',
  expectedErrors: {},
  facts: () => ({ done: [] }),
  program(thread, world) {
    if (thread.parentThreadId === undefined) return lead(world);
    const done = (title: string): void => void world.facts.done.push(title);
    const after = (...titles: string[]) => world.until(titles.join(' and '), () => titles.every((title) => world.facts.done.includes(title)));
    switch (nameIn(thread)) {
      case 'ada':
        return worker(thread, [after(), after(TITLES.tests)], done);
      case 'bob':
        return worker(thread, [after(TITLES.design), after(TITLES.design)], done);
      default:
        return worker(thread, [after(TITLES.api, TITLES.cli)], done);
    }
  },
  expectations: (world, read) => ({
    all_tasks_done: read.teams[0]?.tasks.every((task) => task.status === 'done') === true && world.facts.done.length === 5,
    team_finalized: read.teams[0]?.team.state === 'finalized',
  }),
});
