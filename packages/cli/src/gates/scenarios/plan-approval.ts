import { ArtifactPublishOutputSchema, TeamStartOutputSchema } from '@codex-team/contracts';
import { errorOf } from '../../testing/program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V2, join, nameIn, spawnTeammate, worker } from './script-steps';

// Under Codex's multi-agent v2: the lead puts the team in plan mode, a planner submits a plan,
// the lead approves it and returns to default mode, and only then a builder claims and builds.

interface Facts {
  planId?: string;
  submitted: boolean;
  done: string[];
}

function* lead(world: World<Facts>): AgentProgram {
  TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'planned team' })).json);
  yield mcpCall('team_task_create', { tasks: [{ title: 'Build it', required_role: 'builder' }] });
  yield mcpCall('team_mode', { mode: 'plan', reason: 'review the design first' });
  yield* spawnTeammate(V2, 'pia', 'planner');
  yield world.until('the plan submitted', () => world.facts.submitted);
  yield mcpCall('team_inbox');
  yield mcpCall('team_plan', { action: 'approve', artifact_id: world.facts.planId, reason: 'small and testable' });
  yield mcpCall('team_mode', { mode: 'default', reason: 'plan approved' });
  yield* spawnTeammate(V2, 'bea', 'builder');
  yield world.untilTeammatesFinished(2);
  yield mcpCall('team_finalize', { summary: 'built to the approved plan' });
  return 'LEAD-FINAL: planned, approved, built';
}

function* planner(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  yield* join(thread);
  const plan = ArtifactPublishOutputSchema.parse(
    (yield mcpCall('team_artifact_publish', { name: 'plan.md', content: '# Plan\n1. parser\n2. tests', plan: true })).json,
  );
  world.facts.planId = plan.artifact.id;
  const submitted = yield mcpCall('team_plan', { action: 'submit', artifact_id: plan.artifact.id });
  world.facts.submitted = errorOf(submitted) === undefined;
  return 'PIA-FINAL: plan submitted';
}

export const planApprovalScenario = codexScenario<Facts>({
  name: 'plan-approval',
  summary: 'Codex v2: plan mode, a planner submits, the lead approves, then a builder builds',
  surface: 'v2',
  prompt: 'Use a codex-team team; plan before building.',
  leadFinal: 'LEAD-FINAL: planned, approved, built',
  expectedErrors: {},
  facts: () => ({ submitted: false, done: [] }),
  program(thread, world) {
    if (thread.parentThreadId === undefined) return lead(world);
    if (nameIn(thread) === 'pia') return planner(thread, world);
    return worker(thread, [world.until('now', () => true)], (title) => void world.facts.done.push(title));
  },
  expectations(world, read) {
    const events = read.events.get(read.rootTeamId) ?? [];
    const seqOf = (action: string): number => events.find((event) => event.action === action)?.seq ?? Infinity;
    const backToDefault = events.filter((event) => event.action === 'mode.set').at(-1)?.seq ?? Infinity;
    return {
      plan_reviewed_before_claim: seqOf('plan.approve') < seqOf('task.claim') && seqOf('plan.submit') < seqOf('plan.approve'),
      no_claim_in_plan_mode: backToDefault < seqOf('task.claim'),
      built: world.facts.done.length === 1,
    };
  },
});
