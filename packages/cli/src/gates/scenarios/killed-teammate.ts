import { TeamStartOutputSchema, type TeamId } from '@codex-team/contracts';
import { mcpCall, type AgentProgram } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, claimNext, closeAll, collect, join, nameIn, spawnTeammate, worker } from './script-steps';

// A teammate's MCP server is SIGKILLed mid-task (no disconnect is recorded): its lease runs out,
// the sweep returns the task, and a second teammate completes it with evidence.

interface Facts {
  teamId?: string;
  annClaimed: boolean;
  annKilled: boolean;
  done: string[];
}

function* lead(world: World<Facts>): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'killed teammate' })).json);
  world.facts.teamId = started.team.id;
  yield mcpCall('team_task_create', { tasks: [{ title: 'Fix the bug', required_role: 'worker' }] });
  const ann = yield* spawnTeammate(V1, 'ann', 'worker');
  yield world.until('ann claimed', () => world.facts.annClaimed);
  yield {
    hold: () => {
      world.killNewestServer();
      world.facts.annKilled = true;
      return Promise.resolve(true);
    },
  };
  yield world.untilStore('the task back in the ready pool', async (store) => {
    const snapshot = await store.readTeam(world.facts.teamId as TeamId);
    return snapshot.tasks.every((task) => task.status === 'ready');
  });
  const bob = yield* spawnTeammate(V1, 'bob', 'worker');
  yield world.untilTeammatesFinished(2);
  yield* collect(V1, [ann, bob]);
  yield mcpCall('team_inbox');
  yield mcpCall('team_finalize', { summary: 'fixed after a teammate was killed' });
  yield* closeAll(V1, [ann, bob]);
  return 'LEAD-FINAL: fixed after a kill';
}

function* ann(thread: Parameters<typeof join>[0], world: World<Facts>): AgentProgram {
  yield* join(thread);
  const { claim } = yield* claimNext();
  if (claim === null) return 'ANN: nothing to claim';
  yield mcpCall('team_task_update', { task_id: claim.task.id, fence: claim.fence, progress: 'reproduced the bug' });
  world.facts.annClaimed = true;
  yield world.until('ann killed', () => world.facts.annKilled);
  return 'ANN-FINAL: cut off mid-task';
}

export const killedTeammateScenario = codexScenario<Facts>({
  name: 'killed-teammate',
  summary: "a teammate's server is SIGKILLed mid-task; its lease lapses and a new teammate completes the task",
  surface: 'v1',
  prompt: 'Use a codex-team team to fix the bug.',
  env: { serverArgs: ['--lease-ms', '3000', '--sweep-ms', '250'] },
  leadFinal: 'LEAD-FINAL: fixed after a kill',
  expectedErrors: {},
  facts: () => ({ annClaimed: false, annKilled: false, done: [] }),
  program(thread, world) {
    if (thread.parentThreadId === undefined) return lead(world);
    if (nameIn(thread) === 'ann') return ann(thread, world);
    return worker(thread, [world.until('now', () => true)], (title) => void world.facts.done.push(title));
  },
  expectations(world, read) {
    const team = read.teams.find((candidate) => candidate.team.id === read.rootTeamId);
    const task = team?.tasks[0];
    const events = read.events.get(read.rootTeamId) ?? [];
    return {
      task_done_by_second_teammate: task?.status === 'done' && task.fence === 2 && world.facts.done.length === 1,
      claim_recovered: events.some((event) => event.action === 'task.recover' && event.subject_id === task?.id),
    };
  },
});
