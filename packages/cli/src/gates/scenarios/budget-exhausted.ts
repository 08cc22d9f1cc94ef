import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { TeamStartOutputSchema } from '@codex-team/contracts';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, claimNext, closeAll, collect, completeWithEvidence, join, spawnTeammate } from './script-steps';

// A team under the fast profile (hard budget 2,000,000 tokens) whose teammate reports 1,200,000
// tokens per task: after two tasks the budget is spent, the third claim is refused LIMIT_EXCEEDED,
// and the lead finalizes with force, cancelling what is left. The servers are pointed at a Codex
// home without rollouts, so usage is what agents report: the path of a teammate whose server cannot
// read its thread's rollout (another machine, over HTTP). Usage measured from rollouts, which
// happens after calls at times a script cannot pin down, is checked by e2e/codex-usage.

interface Facts {
  refusal?: string;
  done: number;
}

const PER_TASK = { input_tokens: 1_200_000, output_tokens: 0 };

function* lead(world: World<Facts>): AgentProgram {
  TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'budgeted', profile: 'fast' })).json);
  yield mcpCall('team_task_create', {
    tasks: [
      { title: 'Part one', required_role: 'worker' },
      { title: 'Part two', required_role: 'worker' },
      { title: 'Part three', required_role: 'worker' },
    ],
  });
  const wes = yield* spawnTeammate(V1, 'wes', 'worker');
  yield world.untilTeammatesFinished(1);
  yield* collect(V1, [wes]);
  yield mcpCall('team_inbox');
  yield mcpCall('team_status');
  yield mcpCall('team_finalize', { summary: 'budget spent after two parts', force: true });
  yield* closeAll(V1, [wes]);
  return 'LEAD-FINAL: stopped at the budget';
}

function* spender(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  const joined = yield* join(thread);
  for (let round = 0; round < 3; round += 1) {
    const { claim, refused } = yield* claimNext();
    if (claim === null) {
      world.facts.refusal = refused;
      break;
    }
    yield* completeWithEvidence(claim.task, claim.fence, joined.agent.name, { usage: PER_TASK });
    world.facts.done += 1;
  }
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `wes: ${world.facts.done} parts, then ${world.facts.refusal ?? 'nothing'}` });
  return 'WES-FINAL: stopped by the budget';
}

export const budgetExhaustedScenario = codexScenario<Facts>({
  name: 'budget-exhausted',
  summary: 'a team spends its hard token budget: the next claim is refused and the lead force-finalizes',
  surface: 'v1',
  prompt: 'Use a codex-team team for the three parts.',
  leadFinal: 'LEAD-FINAL: stopped at the budget',
  expectedErrors: { LIMIT_EXCEEDED: 1 },
  facts: () => ({ done: 0 }),
  env: { serverArgs: ['--codex-home', joinPath(tmpdir(), 'codex-team-gates-no-rollouts')] },
  program: (thread, world) => (thread.parentThreadId === undefined ? lead(world) : spender(thread, world)),
  expectations(world, read) {
    const team = read.teams.find((candidate) => candidate.team.id === read.rootTeamId);
    const spent = (team?.usage ?? []).reduce((sum, sample) => sum + sample.input_tokens + sample.output_tokens, 0);
    return {
      claim_refused_at_budget: world.facts.refusal === 'LIMIT_EXCEEDED' && world.facts.done === 2,
      spend_recorded: spent === 2 * PER_TASK.input_tokens,
      rest_cancelled: team?.tasks.filter((task) => task.status === 'done').length === 2 && team.team.state === 'finalized',
    };
  },
});
