import { TeamStartOutputSchema, type TeamId } from '@codex-team/contracts';
import { errorOf } from '../../testing/program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, claimNext, closeAll, collect, join, nameIn, spawnTeammate, worker } from './script-steps';

// A holder stalls (alive, silent, never renewing): its lease lapses, another teammate completes
// the task on a new fence, and the stalled holder's late completion is refused STALE_CLAIM.

interface Facts {
  teamId?: string;
  stalledClaimed: boolean;
  lateAnswer?: string;
  done: string[];
}

function* lead(world: World<Facts>): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'stalled holder' })).json);
  world.facts.teamId = started.team.id;
  yield mcpCall('team_task_create', { tasks: [{ title: 'Write the report', required_role: 'worker' }] });
  const sam = yield* spawnTeammate(V1, 'sam', 'worker');
  yield world.until('sam claimed', () => world.facts.stalledClaimed);
  yield world.untilStore('the lapsed claim back in the ready pool', async (store) => {
    const snapshot = await store.readTeam(world.facts.teamId as TeamId);
    return snapshot.tasks.every((task) => task.status === 'ready');
  });
  const kim = yield* spawnTeammate(V1, 'kim', 'worker');
  yield world.untilTeammatesFinished(2);
  yield* collect(V1, [sam, kim]);
  yield mcpCall('team_inbox');
  yield mcpCall('team_finalize', { summary: 'report written after a stall' });
  yield* closeAll(V1, [sam, kim]);
  return 'LEAD-FINAL: report written after a stall';
}

function* stalled(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  yield* join(thread);
  const { claim } = yield* claimNext();
  if (claim === null) return 'SAM: nothing to claim';
  world.facts.stalledClaimed = true;
  // Stalls (no renewal) until the task was done by someone else, then tries to finish anyway.
  yield world.until('the task done by another', () => world.facts.done.length === 1);
  const late = yield mcpCall('team_task_complete', { task_id: claim.task.id, fence: claim.fence, result: 'late report' });
  world.facts.lateAnswer = errorOf(late)?.code ?? 'accepted';
  return 'SAM-FINAL: woke up too late';
}

export const stalledHolderScenario = codexScenario<Facts>({
  name: 'stalled-holder',
  summary: 'a holder stalls without renewing; its lease lapses, another completes, the late completion is refused',
  surface: 'v1',
  prompt: 'Use a codex-team team to write the report.',
  env: { serverArgs: ['--lease-ms', '3000', '--sweep-ms', '250'] },
  leadFinal: 'LEAD-FINAL: report written after a stall',
  expectedErrors: { STALE_CLAIM: 1 },
  facts: () => ({ stalledClaimed: false, done: [] }),
  program(thread, world) {
    if (thread.parentThreadId === undefined) return lead(world);
    if (nameIn(thread) === 'sam') return stalled(thread, world);
    return worker(thread, [world.until('now', () => true)], (title) => void world.facts.done.push(title));
  },
  expectations(world, read) {
    const task = read.teams.find((candidate) => candidate.team.id === read.rootTeamId)?.tasks[0];
    return {
      late_completion_refused: world.facts.lateAnswer === 'STALE_CLAIM',
      done_on_the_new_fence: task?.status === 'done' && task.fence === 2 && task.result !== 'late report',
    };
  },
});
