import { TaskNextOutputSchema, type AuthzDecision } from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv } from '../../testing/codex-team-env';
import { ticketIn } from '../../testing/program-helpers';
import { isPlanner, scriptedPlanner, shell, startRun } from '../../testing/runtime-run';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { World, costOf, invariantChecks, noteTaker, readBack, tasksDoneWithEvidence, type ReadBack } from '../codex-scenario';
import type { ScenarioOutcome } from '../gate-measures';
import type { Scenario, ScenarioContext } from '../scenario';
import { completeWithEvidence, join as joinTeam } from './script-steps';

// `codex-team run` (the managed runtime: the supervisor is the lead) with real `codex exec`
// workers against the scripted model: one planner session plans a fan-out (a, then b c d of 10
// minutes each), the rebalancing controller staffs it, the runtime launches, watches and retires
// the workers and finalizes the team. A worker holds its task (off the model) until no task is
// left ready, so the fan-out is worked by three workers at once, a, b on the first and one task
// each on the other two, whatever the timing: tool calls, bytes and tokens are the same run to run.

const TEAMMATES = 3;
const TASKS = [
  { key: 'a', title: 'Design the module' },
  { key: 'b', title: 'Build part A', depends_on: ['a'], estimate_min: 10 },
  { key: 'c', title: 'Build part B', depends_on: ['a'], estimate_min: 10 },
  { key: 'd', title: 'Build part C', depends_on: ['a'], estimate_min: 10 },
];

/**
 * What each response reports to Codex: a real model's burn on this compressed clock (the scripted
 * model answers a turn in milliseconds), so the controller's budget-burn rule does not keep the
 * team at one worker. The cost measure counts the endpoint's own tokens, not this report.
 */
const REPORTED_USAGE = { input_tokens: 100, cached_input_tokens: 0, output_tokens: 10 } as const;

/** A worker as the runtime's prompt asks: join, take ready work with evidence until none is left, end its turn. */
function* worker(info: ThreadInfo, world: World<null>): AgentProgram {
  if (ticketIn(info.userTexts) === undefined) throw new Error('no join ticket in the worker prompt');
  const joined = yield* joinTeam(info);
  let done = 0;
  for (;;) {
    const { claim } = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
    if (claim === null) break;
    yield world.untilStore('no task left ready', async (store) => (await store.readTeam(joined.team.id)).tasks.every((task) => task.status !== 'ready'), 30_000);
    yield shell('sleep 0.3');
    yield* completeWithEvidence(claim.task, claim.fence, joined.agent.name);
    done += 1;
  }
  return `${joined.agent.name}: ${done} task(s) done, no more work`;
}

/** The runtime's own calls (it is the lead): its decisions are not the scripted agents' calls. */
function agentDecisions(read: ReadBack): AuthzDecision[] {
  const lead = read.teams.find((team) => team.team.id === read.rootTeamId)?.team.lead_agent_id;
  return read.decisions.filter((decision) => decision.agent_id !== lead && decision.tool !== 'team_start');
}

async function runManaged(context: ScenarioContext): Promise<ScenarioOutcome> {
  const started = Date.now();
  // The runtime writes its workers' server entries itself (Codex passes them no other variables).
  if (context.faults !== undefined) context.progress('test faults reach no server of codex-team run: this scenario runs without them');
  const world = new World<null>(null);
  const env: CodexTeamEnv = await createCodexTeamEnv((info) => (isPlanner(info) ? scriptedPlanner(info, TASKS) : worker(info, world)), {
    usage: () => REPORTED_USAGE,
  });
  world.env = env;
  try {
    const run = startRun(env, ['Ship a module in parts', '--teammates', String(TEAMMATES)]);
    const timer = setTimeout(() => run.child.kill('SIGINT'), 90_000);
    const { code } = await run.exited;
    clearTimeout(timer);
    context.progress(`codex-team run exited ${String(code)}`);
    const read = await readBack(env);
    const outcome = run.outcome()?.['outcome'] as { status?: string; maxLive?: number; launched?: number; retiredByPolicy?: number; exits?: number } | undefined;
    const { note, notes } = noteTaker();
    const checks: Record<string, boolean> = {};
    checks['run.completed'] = note(
      code === 0 && outcome?.status === 'done' && env.responses.errors.length === 0,
      `codex-team run exit ${String(code)}, status ${outcome?.status ?? 'none'}; script errors: ${env.responses.errors.join(' | ').slice(0, 600) || 'none'}; stderr: ${run.stderr().slice(-300)}`,
    );
    Object.assign(checks, invariantChecks(env, read, note, { expectedErrors: {}, decisions: agentDecisions(read) }));
    const root = read.teams.find((team) => team.team.id === read.rootTeamId);
    const expect = (name: string, held: boolean, text: string): void => void (checks[`expect.${name}`] = note(held, `expectation ${name} failed: ${text}`));
    expect('all_tasks_done', root?.tasks.length === TASKS.length && root.tasks.every((task) => task.status === 'done'), `${root?.tasks.map((task) => task.status).join(', ') ?? 'no team'}`);
    expect('team_finalized', root?.team.state === 'finalized', `team ${root?.team.state ?? 'missing'}`);
    // The runtime's own slot count never above the cap, and the fan-out staffed to it.
    expect('fan_out_staffed_to_cap', outcome?.maxLive === TEAMMATES, `the runtime had at most ${String(outcome?.maxLive)} workers live, the team ${TEAMMATES}`);
    const cost = costOf(env, read);
    return {
      scenario: 'managed-run',
      profile: 'managed-runtime',
      measures: { quality: { tasks_done_with_evidence: tasksDoneWithEvidence(read), checks }, cost: cost.measures },
      notes,
      wallMs: Date.now() - started,
      extra: { ...cost.extra, sessions: outcome?.launched ?? 0, max_live: outcome?.maxLive ?? 0, retired_by_policy: outcome?.retiredByPolicy ?? 0 },
    };
  } finally {
    await env.dispose();
  }
}

export const managedRunScenario: Scenario = {
  name: 'managed-run',
  summary: 'codex-team run (the managed runtime) plans a 4-task fan-out, staffs it with 3 real codex exec workers and finalizes',
  profile: 'managed-runtime',
  run: runManaged,
};
