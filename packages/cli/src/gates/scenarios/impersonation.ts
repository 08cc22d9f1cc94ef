import { TaskNextOutputSchema, TeamSpawnOutputSchema, TeamStartOutputSchema } from '@codex-team/contracts';
import { errorOf, ticketIn } from '../../testing/program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, closeAll, collect, completeWithEvidence, join } from './script-steps';

// A teammate tries to act as others: joins with the lead's resume ticket, acts unbound, joins
// twice, completes the lead's task with a guessed fence, and calls a lead-only tool. Each is
// refused with its code; the lead's task stays the lead's, and the intruder still does its own.

interface Facts {
  leadTicket?: string;
  leadTaskId?: string;
  refusals: Record<string, string | undefined>;
}

function* lead(world: World<Facts>): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'guarded team' })).json);
  world.facts.leadTicket = started.resume_ticket;
  const created = yield mcpCall('team_task_create', {
    tasks: [
      { key: 'mine', title: 'Lead work', required_role: 'lead' },
      { key: 'theirs', title: 'Worker work', required_role: 'worker' },
    ],
  });
  const keys = (created.json as { keys: Record<string, string> }).keys;
  world.facts.leadTaskId = keys['mine'];
  const claim = TaskNextOutputSchema.parse((yield mcpCall('team_task_next', { task_id: keys['mine'] })).json).claim;
  const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name: 'wes', role: 'worker' })).json);
  const wes = V1.idOf(yield V1.spawn(spawn.spawn_instruction, 'wes'));
  yield world.untilTeammatesFinished(1);
  yield* collect(V1, [wes]);
  if (claim !== null) yield* completeWithEvidence(claim.task, claim.fence, 'lead');
  yield mcpCall('team_inbox');
  yield mcpCall('team_finalize', { summary: 'done despite an intruder' });
  yield* closeAll(V1, [wes]);
  return 'LEAD-FINAL: guarded team done';
}

function* intruder(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  const seen = world.facts.refusals;
  seen['join_with_lead_ticket'] = errorOf(yield mcpCall('team_join', { ticket: world.facts.leadTicket }))?.code;
  seen['act_unbound'] = errorOf(yield mcpCall('team_task_next'))?.code;
  const joined = yield* join(thread);
  seen['join_twice'] = errorOf(yield mcpCall('team_join', { ticket: ticketIn(thread.userTexts) }))?.code;
  seen['complete_lead_task'] = errorOf(yield mcpCall('team_task_complete', { task_id: world.facts.leadTaskId, fence: 1, result: 'I did it for the lead' }))?.code;
  seen['lead_only_tool'] = errorOf(yield mcpCall('team_spawn', { name: 'mallory', role: 'worker' }))?.code;
  const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
  if (next.claim !== null) yield* completeWithEvidence(next.claim.task, next.claim.fence, joined.agent.name);
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: 'worker done' });
  return 'WES-FINAL: finished after refusals';
}

const EXPECTED = {
  join_with_lead_ticket: 'NOT_FOUND',
  act_unbound: 'NOT_BOUND',
  join_twice: 'ALREADY_BOUND',
  complete_lead_task: 'STALE_CLAIM',
  lead_only_tool: 'DENIED',
};

export const impersonationScenario = codexScenario<Facts>({
  name: 'impersonation',
  summary: "a teammate tries the lead's ticket, unbound calls, a second join, the lead's task and a lead-only tool",
  surface: 'v1',
  prompt: 'Use a codex-team team, carefully.',
  leadFinal: 'LEAD-FINAL: guarded team done',
  expectedErrors: { NOT_FOUND: 1, NOT_BOUND: 1, ALREADY_BOUND: 1, STALE_CLAIM: 1, DENIED: 1 },
  facts: () => ({ refusals: {} }),
  program: (thread, world) => (thread.parentThreadId === undefined ? lead(world) : intruder(thread, world)),
  expectations(world, read) {
    const team = read.teams.find((candidate) => candidate.team.id === read.rootTeamId);
    const leadTask = team?.tasks.find((task) => task.id === world.facts.leadTaskId);
    return {
      each_attempt_refused_with_its_code: JSON.stringify(world.facts.refusals) === JSON.stringify(EXPECTED),
      lead_task_kept_by_lead: leadTask?.status === 'done' && leadTask.owner_agent_id === team?.team.lead_agent_id,
      refusals_recorded_with_their_codes: Object.values(EXPECTED).every((code) => read.decisions.some((decision) => decision.outcome === code)),
    };
  },
});
