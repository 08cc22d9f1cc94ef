import { TeamStartOutputSchema } from '@codex-team/contracts';
import { errorOf } from '../../testing/program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, claimNext, closeAll, collect, completeWithEvidence, join, spawnTeammate } from './script-steps';

// The profile's quality hook blocks a medium-risk completion that names no evidence; the teammate
// publishes its notes and completes with them. A server whose hook no longer blocks lets the bare
// completion through, which this scenario's quality checks catch.

interface Facts {
  firstTry?: string;
}

function* lead(world: World<Facts>): AgentProgram {
  TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'gated team', profile: 'fast' })).json);
  yield mcpCall('team_task_create', { tasks: [{ title: 'Write the parser', required_role: 'builder', risk: 'medium' }] });
  const bob = yield* spawnTeammate(V1, 'bob', 'builder');
  yield world.untilTeammatesFinished(1);
  yield* collect(V1, [bob]);
  yield mcpCall('team_inbox');
  yield mcpCall('team_finalize', { summary: 'parser written' });
  yield* closeAll(V1, [bob]);
  return 'LEAD-FINAL: gated team finalized';
}

function* builder(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  const joined = yield* join(thread);
  const { claim } = yield* claimNext();
  if (claim === null) return 'BOB: nothing to claim';
  const first = yield mcpCall('team_task_complete', { task_id: claim.task.id, fence: claim.fence, result: 'parser written' });
  world.facts.firstTry = errorOf(first)?.code ?? 'accepted';
  if (world.facts.firstTry === 'HOOK_BLOCKED') yield* completeWithEvidence(claim.task, claim.fence, joined.agent.name);
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `parser: first try ${world.facts.firstTry}` });
  return 'BOB-FINAL: parser done';
}

export const hookEvidenceScenario = codexScenario<Facts>({
  name: 'hook-evidence',
  summary: 'the quality hook blocks a completion until evidence exists; the teammate publishes it and completes',
  surface: 'v1',
  prompt: 'Use a codex-team team to write the parser.',
  leadFinal: 'LEAD-FINAL: gated team finalized',
  expectedErrors: { HOOK_BLOCKED: 1 },
  facts: () => ({}),
  program: (thread, world) => (thread.parentThreadId === undefined ? lead(world) : builder(thread, world)),
  expectations(world, read) {
    const events = read.events.get(read.rootTeamId) ?? [];
    const block = events.find((event) => event.action === 'hook.block');
    const complete = events.find((event) => event.action === 'task.complete');
    const evidence = (complete?.data as { artifact_ids?: unknown[] } | undefined)?.artifact_ids ?? [];
    return {
      bare_completion_blocked: world.facts.firstTry === 'HOOK_BLOCKED',
      block_before_completion: block !== undefined && complete !== undefined && block.seq < complete.seq,
      medium_risk_done_with_evidence: complete !== undefined && evidence.length > 0,
    };
  },
});
