import {
  ArtifactPublishOutputSchema,
  TaskNextOutputSchema,
  TeamJoinOutputSchema,
  TeamStartOutputSchema,
  type AuditEvent,
  type TeamId,
} from '@codex-team/contracts';
import { createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { errorOf, runOneTeammate, ticketIn } from '../testing/program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../testing/scripted-responses';

// A real `codex exec` (scripted model, no network) where the team profile's quality rule blocks a
// teammate's completion: the HOOK_BLOCKED reason reaches the model as the tool's output, the model
// publishes the evidence it names and completes, all on the claim it held.

jest.setTimeout(90_000);

interface Facts {
  teamId?: string;
  blocked?: { code: string; message: string };
  blockedText?: string;
}

function* teammate(info: ThreadInfo, facts: Facts): AgentProgram {
  const ticket = ticketIn(info.userTexts);
  if (ticket === undefined) return 'no join ticket in my instructions';
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket })).json);
  let claim = null;
  for (let polls = 0; claim === null && polls < 100; polls += 1) claim = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json).claim;
  if (claim === null) return 'nothing to do';
  const { task, fence } = claim;
  // First try: no evidence. The profile's rule for medium risk blocks it.
  const first = yield mcpCall('team_task_complete', { task_id: task.id, fence, result: 'parser written' });
  const refused = errorOf(first);
  if (refused === undefined) return 'BUILDER-FINAL: completed without being asked for evidence';
  facts.blocked = { code: refused.code, message: refused.message };
  facts.blockedText = first.text;
  // The model does what the reason says: publish what it did, pass its id, and complete.
  const published = ArtifactPublishOutputSchema.parse(
    (yield mcpCall('team_artifact_publish', { name: 'parser-notes', content: '# Parser\nall cases covered', task_id: task.id, fence })).json,
  );
  const second = yield mcpCall('team_task_complete', { task_id: task.id, fence, result: 'parser written; notes published', artifact_ids: [published.artifact.id] });
  if (errorOf(second) !== undefined) return `BUILDER-FINAL: still refused: ${second.text}`;
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: 'parser done with evidence' });
  return 'BUILDER-FINAL: completed after publishing the evidence';
}

function* lead(facts: Facts): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'gated team', profile: 'fast' })).json);
  facts.teamId = started.team.id;
  yield mcpCall('team_task_create', { tasks: [{ title: 'Write the parser', required_role: 'builder', risk: 'medium' }] });
  yield* runOneTeammate('bob', 'builder');
  return 'LEAD-FINAL: gated team finalized';
}

describe('a quality gate inside a real Codex (scripted model, no network)', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it("blocks a teammate's completion for missing evidence; the model reads why, publishes it and completes", async () => {
    const facts: Facts = {};
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? lead(facts) : teammate(info, facts)));
    const run = await env.exec('Use a codex-team team to write the parser.');
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: gated team finalized');
    expect([...env.responses.finalAnswers().values()]).toContain('BUILDER-FINAL: completed after publishing the evidence');

    // The block reached the model as the tool's output: the code and the reason naming what is missing.
    expect(facts.blocked?.code).toBe('HOOK_BLOCKED');
    expect(facts.blocked?.message).toMatch(/^PreTaskComplete blocked: builtin:quality\.medium\.require_evidence: risk medium under profile fast needs evidence/);
    expect(facts.blockedText).toContain('{"error":{"code":"HOOK_BLOCKED","message":"PreTaskComplete blocked: builtin:quality.medium.require_evidence');
    expect(facts.blockedText).toContain('pass its id in artifact_ids');

    const store = await env.openStore();
    try {
      const teamId = facts.teamId as TeamId;
      const snapshot = await store.readTeam(teamId);
      expect(snapshot.tasks.map((task) => [task.title, task.risk, task.status, task.fence])).toEqual([['Write the parser', 'medium', 'done', 1]]);
      const events: AuditEvent[] = await store.listAuditEvents(teamId);
      const actions = events.map((event) => event.action);
      expect(actions.filter((action) => ['task.claim', 'hook.block', 'artifact.publish', 'task.complete'].includes(action))).toEqual([
        'task.claim',
        'hook.block',
        'artifact.publish',
        'task.complete',
      ]);
      const completions = (await store.listAuthzDecisions({ teamId })).filter((decision) => decision.tool === 'team_task_complete');
      expect(completions.map((decision) => [decision.decision, decision.step, decision.outcome])).toEqual([
        ['deny', 'hook', 'HOOK_BLOCKED'],
        ['allow', 'permission', 'ok'],
      ]);
    } finally {
      await store.close();
    }
  });
});
