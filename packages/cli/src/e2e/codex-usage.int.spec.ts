import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TaskNextOutputSchema, TeamJoinOutputSchema, TeamStartOutputSchema, type TeamId } from '@codex-team/contracts';
import { builtCliBin, createCodexTeamEnv, type CodexTeamEnv } from '../testing/codex-team-env';
import { runOneTeammate, ticketIn } from '../testing/program-helpers';
import { mcpCall, type AgentProgram, type ReportedUsage, type ThreadInfo } from '../testing/scripted-responses';

// A real `codex exec` (npm @openai/codex 0.171.0, scripted model on loopback) whose every model
// response reports different token counts: each agent's server reads its own thread's session
// rollout in the Codex home and charges what Codex recorded there. The figures in the store must be
// exactly what the endpoint reported, per agent and thread, with nothing counted twice although the
// teammate also reports usage itself.

jest.setTimeout(120_000);

interface Facts {
  teamId?: string;
}

function* teammate(info: ThreadInfo): AgentProgram {
  const ticket = ticketIn(info.userTexts);
  if (ticket === undefined) return 'no join ticket in my instructions';
  TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket })).json);
  let claim = null;
  for (let polls = 0; claim === null && polls < 100; polls += 1) claim = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json).claim;
  if (claim === null) return 'nothing to do';
  // The agent also reports usage itself, as the skill asks: measured usage must not add it again.
  yield mcpCall('team_task_complete', {
    task_id: claim.task.id,
    fence: claim.fence,
    result: 'counted',
    usage: { input_tokens: 9_000, output_tokens: 900 },
  });
  return 'BUILDER-FINAL: done';
}

function* lead(facts: Facts): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'metered', profile: 'fast' })).json);
  facts.teamId = started.team.id;
  yield mcpCall('team_task_create', { tasks: [{ title: 'Count', required_role: 'builder' }] });
  yield* runOneTeammate('bob', 'builder');
  return 'LEAD-FINAL: metered team finalized';
}

/** Every response a different figure: 1,000 + 137 n input (of which 41 n cached), 20 + 7 n output. */
function usageOf(index: number): ReportedUsage {
  return { input_tokens: 1_000 + 137 * index, cached_input_tokens: 41 * index, output_tokens: 20 + 7 * index };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name)).filter((path) => statSync(path).isFile());
}

describe("token usage measured from Codex's session rollouts (real codex exec, scripted model)", () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('charges each agent exactly what the endpoint reported for its thread, labelled measured, once', async () => {
    const facts: Facts = {};
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? lead(facts) : teammate(info)), { usage: usageOf });
    const run = await env.exec('Use a codex-team team to count.');
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: metered team finalized');

    const reported = env.responses.reported;
    const threads = [...new Set(reported.map((response) => response.threadId))];
    expect(threads).toHaveLength(2);
    const store = await env.openStore();
    try {
      const teamId = facts.teamId as TeamId;
      const snapshot = await store.readTeam(teamId);
      const byThread = new Map<string | null, string>();
      for (const agent of snapshot.agents) byThread.set(await store.readAgentCodexThread(agent.id), agent.id);
      // Each sample is one response of the agent's own thread, with the endpoint's figures, in order.
      for (const thread of threads) {
        const agentId = byThread.get(thread);
        expect(agentId).toEqual(expect.any(String));
        const measured = snapshot.usage.filter((sample) => sample.source === 'measured' && sample.agent_id === agentId);
        const sent = reported.filter((response) => response.threadId === thread);
        expect(measured.map((sample) => [sample.input_tokens, sample.cached_input_tokens, sample.output_tokens])).toEqual(
          sent.map((response) => [response.input_tokens, response.cached_input_tokens, response.output_tokens]),
        );
        expect(measured.every((sample) => sample.charged_tokens === sample.input_tokens + sample.output_tokens)).toBe(true);
      }
      // The teammate's own report is kept, charges nothing: the team's total is the endpoint's.
      const selfReported = snapshot.usage.filter((sample) => sample.source === undefined);
      expect(selfReported.map((sample) => [sample.input_tokens, sample.output_tokens, sample.charged_tokens])).toEqual([[9_000, 900, 0]]);
      const total = reported.reduce((sum, response) => sum + response.input_tokens + response.output_tokens, 0);
      expect(snapshot.used_tokens).toBe(total);
      expect(snapshot.team.state).toBe('finalized');
    } finally {
      await store.close();
    }

    // The operator's views say the same, labelled measured.
    const status = spawnSync(process.execPath, [builtCliBin(), 'status', 'metered', '--db', env.dbPath, '--json'], { encoding: 'utf8' });
    expect(status.status).toBe(0);
    const measuredTotal = reported.reduce((sum, r) => sum + r.input_tokens + r.output_tokens, 0);
    const usage = (JSON.parse(status.stdout) as { usage: unknown }).usage;
    expect(usage).toEqual({ measured_tokens: measuredTotal, reported_tokens: 9_900, reported_charged_tokens: 0, charged_tokens: measuredTotal });
    const text = spawnSync(process.execPath, [builtCliBin(), 'agent', 'metered', 'bob', '--db', env.dbPath, '--codex-home', env.codexHome], { encoding: 'utf8' });
    expect(text.stdout).toMatch(/^tokens: (\d+) charged: \1 measured from its Codex rollout; 9900 self-reported, not charged$/m);
    expect(text.stdout).toMatch(/^transcript: .*\/sessions\/\d{4}\/\d\d\/\d\d\/rollout-.*\.jsonl$/m);
    const report = spawnSync(process.execPath, [builtCliBin(), 'report', 'metered', '--db', env.dbPath, '--json'], { encoding: 'utf8' });
    expect((JSON.parse(report.stdout) as { usage: unknown }).usage).toEqual(usage);

    // The Codex home was only read: every rollout is as Codex left it (each ends with a whole line).
    const rollouts = files(join(env.codexHome, 'sessions')).filter((path) => /rollout-.*\.jsonl$/.test(path));
    expect(rollouts).toHaveLength(2);
    for (const path of rollouts) expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });
});
