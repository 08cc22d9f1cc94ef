import { TOOL_CONTRACTS, TaskNextOutputSchema, TeamStartOutputSchema } from '@codex-team/contracts';
import { spawnedAgentId } from '../../testing/program-helpers';
import { agentCall, mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, closeAll, collect, completeWithEvidence, join, spawnTeammate, worker } from './script-steps';

// A root lead delegates a task to a child team led by a sub-agent (Codex v1, max_depth 2); the
// child's lead spawns its own teammate, who completes with evidence; the child finalizes, its
// roll-up completes the parent's task, and the root ships the dependent task itself.

interface Facts {
  childLeadFinished: boolean;
  done: string[];
}

function* rootLead(world: World<Facts>): AgentProgram {
  TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'tree', objective: 'ship a parser' })).json);
  const created = yield mcpCall('team_task_create', {
    tasks: [
      { key: 'parser', title: 'Build the parser', description: 'with tests' },
      { key: 'ship', title: 'Ship it', depends_on: ['parser'] },
    ],
  });
  const keys = (created.json as { keys: Record<string, string> }).keys;
  const child = TOOL_CONTRACTS.team_child.output.parse((yield mcpCall('team_child', { action: 'start', tasks: [keys['parser']], lead: 'ticket' })).json);
  const childLead = spawnedAgentId(yield agentCall('spawn_agent', { message: child.spawn_instruction ?? '' }));
  yield world.until('the child lead finished', () => world.facts.childLeadFinished, 90_000);
  yield* collect(V1, [childLead]);
  yield mcpCall('team_status');
  const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
  if (next.claim !== null) yield* completeWithEvidence(next.claim.task, next.claim.fence, 'lead');
  yield mcpCall('team_finalize', { summary: 'parser delegated to a child team, then shipped' });
  yield* closeAll(V1, [childLead]);
  return 'LEAD-FINAL: shipped with a child team';
}

function* childLead(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  yield* join(thread);
  const cid = yield* spawnTeammate(V1, 'cid', 'implementer');
  yield world.until('cid finished', () => world.facts.done.length === 1);
  yield world.untilTeammatesFinished(1);
  yield* collect(V1, [cid]);
  yield mcpCall('team_inbox');
  yield mcpCall('team_finalize', { summary: 'parser built by cid; its notes are the evidence' });
  yield* closeAll(V1, [cid]);
  world.facts.childLeadFinished = true;
  return 'CHILD-LEAD-FINAL: child team finalized';
}

export const childTeamScenario = codexScenario<Facts>({
  name: 'child-team',
  summary: "a task delegated to a child team (its lead a sub-agent, depth 2) comes back done with the child's evidence",
  surface: 'v1',
  prompt: 'Use a codex-team team with a child team for the parser.',
  env: { extraConfig: '[agents]\nmax_depth = 2\n' },
  leadFinal: 'LEAD-FINAL: shipped with a child team',
  expectedErrors: {},
  facts: () => ({ childLeadFinished: false, done: [] }),
  program(thread, world) {
    if (thread.parentThreadId === undefined) return rootLead(world);
    if (thread.userTexts.join('\n').includes('You lead child team')) return childLead(thread, world);
    return worker(thread, [world.until('now', () => true)], (title) => void world.facts.done.push(title));
  },
  expectations(_world, read) {
    const root = read.teams.find((team) => team.team.id === read.rootTeamId);
    const child = read.teams.find((team) => team.team.id !== read.rootTeamId);
    const rollup = (read.events.get(read.rootTeamId) ?? []).find((event) => event.action === 'team.rollup');
    return {
      parent_tasks_done: root?.tasks.every((task) => task.status === 'done') === true,
      child_finalized: child?.team.state === 'finalized',
      rolled_up_with_evidence: ((rollup?.data['child'] as { artifact_ids?: unknown[] } | undefined)?.artifact_ids ?? []).length > 0,
    };
  },
});
