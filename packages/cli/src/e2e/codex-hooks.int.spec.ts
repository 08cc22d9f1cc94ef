import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InboxOutputSchema,
  TaskNextOutputSchema,
  TeamJoinOutputSchema,
  TeamSpawnOutputSchema,
  TeamStartOutputSchema,
  TeamStatusOutputSchema,
  type Task,
} from '@codex-team/contracts';
import { findInstalledHooks } from '../codex/codex-hooks';
import { builtCliBin, createCodexTeamEnv, type CodexTeamEnv, type Surface } from '../testing/codex-team-env';
import { leadSurface, letGo, ticketIn, waitForAll, type LeadSurface } from '../testing/program-helpers';
import { CONTINUE, answerOnly, endTurn, mcpCall, type AgentProgram, type ThreadInfo, type ToolResult } from '../testing/scripted-responses';

// Codex's Stop and SubagentStop hooks, installed by `codex-team install --hooks`, in a real
// `codex exec` under both multi-agent surfaces. `--dangerously-bypass-hook-trust` runs the hooks
// without the review a user gives them in Codex's TUI; only tests pass it. The last test shows
// that doctor computes Codex's own trust hash: with it recorded, Codex runs the hook unbypassed.

jest.setTimeout(90_000);

const BYPASS = ['--dangerously-bypass-hook-trust'];

interface HookLine {
  event: string;
  decision: string;
  rule: string;
  reason: string;
  agent_id?: string;
  duration_ms: number;
}

function hookLog(env: CodexTeamEnv): HookLine[] {
  const path = join(env.teamHome, 'logs', 'hooks-team.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as HookLine);
}

async function tasksOf(env: CodexTeamEnv, teamId: string, leadId: string): Promise<Task[]> {
  const store = await env.openStore();
  try {
    return (await store.listTasks({ teamId: teamId as Task['team_id'], agentId: leadId as Task['created_by'] }, { limit: 100 })).tasks;
  } finally {
    await store.close();
  }
}

interface Seen {
  teamId?: string;
  leadId?: string;
  /** What a resumed thread was told when a hook kept it working. */
  continued: string[];
}

/** Spawns one worker teammate for `tasks` and returns its Codex id. */
function* spawnWorker(surface: LeadSurface, name: string): Generator<ReturnType<LeadSurface['spawn']>, string, ToolResult> {
  const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name, role: 'worker' })).json);
  return surface.idOf(yield surface.spawn(spawn.spawn_instruction, name));
}

describe.each<Surface>(['v1', 'v2'])('codex-team hooks in a real Codex %s', (surfaceName) => {
  const surface = leadSurface(surfaceName);
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  it('keeps a teammate that tries to stop holding a live claim working until it has completed the task', async () => {
    const seen: Seen = { continued: [] };
    function* lead(): AgentProgram {
      const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'hooked' })).json);
      seen.teamId = started.team.id;
      seen.leadId = started.agent.id;
      yield mcpCall('team_task_create', { tasks: [{ title: 'Write the report', required_role: 'worker' }] });
      const kim = yield* spawnWorker(surface, 'kim');
      yield* waitForAll(surface, [kim]);
      const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
      yield mcpCall('team_finalize', { summary: inbox.messages.map((message) => message.body).join('; ') });
      yield* letGo(surface, [kim]);
      return 'LEAD-FINAL: report written';
    }
    function* quitter(info: ThreadInfo): AgentProgram {
      const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) })).json);
      const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
      if (next.claim === null) return 'nothing to do';
      // Ends its turn still holding the claim: the SubagentStop hook sends it back to work.
      const resumed = yield endTurn('I will stop here.');
      seen.continued.push(resumed.text);
      if (resumed.call.name !== CONTINUE) return 'was not continued';
      yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'report written and re-read' });
      yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: 'kim: report done' });
      return 'KIM-FINAL: completed before stopping';
    }
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? lead() : quitter(info)), {
      surface: surfaceName,
      installArgs: ['--hooks'],
    });
    const run = await env.exec('Use a codex-team team to write the report.', { extraArgs: BYPASS });
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: report written');
    // Codex handed the hook's reason to the teammate as its next prompt.
    expect(seen.continued).toHaveLength(1);
    expect(seen.continued[0]).toMatch(/^<hook_prompt [^>]*>You still hold task "Write the report" \(task_id tk_\w+, fence 1\)\./);
    const { teamId, leadId } = seen;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    expect((await tasksOf(env, teamId, leadId)).map((task) => [task.title, task.status, task.result])).toEqual([
      ['Write the report', 'done', 'report written and re-read'],
    ]);
    const subagentStops = hookLog(env).filter((line) => line.event === 'SubagentStop');
    expect(subagentStops.map((line) => [line.decision, line.rule])).toEqual([
      ['block', 'stop.live_claim'],
      ['allow', 'stop.hook_active'],
    ]);
  });

  it('keeps the lead from ending its turn while its team works, until it finalizes', async () => {
    const seen: Seen = { continued: [] };
    function* impatientLead(): AgentProgram {
      const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'patient' })).json);
      seen.teamId = started.team.id;
      seen.leadId = started.agent.id;
      yield mcpCall('team_task_create', {
        tasks: [
          { title: 'First part', required_role: 'worker' },
          { title: 'Second part', required_role: 'worker' },
        ],
      });
      const wes = yield* spawnWorker(surface, 'wes');
      for (let polls = 0; polls < 200; polls += 1) {
        const status = TeamStatusOutputSchema.parse((yield mcpCall('team_status')).json);
        if (status.agents.some((agent) => agent.name === 'wes' && agent.state === 'active')) break;
      }
      // Tries to end the turn with work open and a live teammate: the Stop hook keeps it going.
      const resumed = yield endTurn('The team is on it; I am done.');
      seen.continued.push(resumed.text);
      yield* waitForAll(surface, [wes]);
      yield mcpCall('team_finalize', { summary: 'both parts done' });
      yield* letGo(surface, [wes]);
      return 'LEAD-FINAL: stayed until the team finished';
    }
    function* worker(info: ThreadInfo): AgentProgram {
      yield mcpCall('team_join', { ticket: ticketIn(info.userTexts) });
      let done = 0;
      for (let polls = 0; done < 2 && polls < 300; polls += 1) {
        const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
        if (next.claim === null) continue;
        // Keeps working on the first part until the lead has tried to stop (and been kept going),
        // so its stop always meets open work and a live teammate.
        for (let step = 0; step < 300 && seen.continued.length === 0; step += 1) {
          yield mcpCall('team_task_update', { task_id: next.claim.task.id, fence: next.claim.fence, progress: `step ${step}` });
        }
        yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: `${next.claim.task.title} done` });
        done += 1;
      }
      return `WES-FINAL: ${done} parts`;
    }
    env = await createCodexTeamEnv((info) => (info.parentThreadId === undefined ? impatientLead() : worker(info)), {
      surface: surfaceName,
      installArgs: ['--hooks'],
    });
    const run = await env.exec('Use a codex-team team for both parts.', { extraArgs: BYPASS });
    expect(env.responses.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: stayed until the team finished');
    expect(seen.continued).toHaveLength(1);
    expect(seen.continued[0]).toMatch(/Team "patient" is still working: 2 unfinished tasks \("First part", "Second part"\) and 1 live teammate \(wes\)\. Wait for them/);
    const stops = hookLog(env).filter((line) => line.event === 'Stop');
    expect(stops.map((line) => [line.decision, line.rule])).toEqual([
      ['block', 'stop.team_working'],
      ['allow', 'stop.hook_active'],
    ]);
    const { teamId, leadId } = seen;
    if (teamId === undefined || leadId === undefined) throw new Error('team_start did not run');
    expect((await tasksOf(env, teamId, leadId)).map((task) => task.status)).toEqual(['done', 'done']);
  });
});

describe('codex-team hook trust', () => {
  let env: CodexTeamEnv | undefined;
  afterEach(async () => {
    await env?.dispose();
    env = undefined;
  });

  function doctor(target: CodexTeamEnv): { status: number | null; stdout: string } {
    const result = spawnSync(process.execPath, [builtCliBin(), 'doctor', '--codex-home', target.codexHome], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: target.homeDir },
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout };
  }

  it('reports hooks untrusted until reviewed, with the hash Codex itself checks: trusted, Codex runs them unbypassed; changed, it skips them', async () => {
    env = await createCodexTeamEnv(() => answerOnly('DONE'), { installArgs: ['--hooks'] });
    expect(env.installOutput).toContain('codex-team never trusts them for you');
    const configPath = join(env.codexHome, 'config.toml');
    const hooksPath = join(env.codexHome, 'hooks.json');
    expect(readFileSync(configPath, 'utf8')).not.toContain('[hooks.state');

    let report = doctor(env);
    expect(report.stdout).toMatch(/^FAIL {2}hook Stop +untrusted \(/m);
    expect(report.stdout).toMatch(/^FAIL {2}hook SubagentStop +untrusted \(/m);
    expect(report.status).toBe(1);
    // Without review, `codex exec` skips the hooks: nothing logged.
    expect((await env.exec('hello')).exitCode).toBe(0);
    expect(hookLog(env)).toEqual([]);

    // What a user's review in Codex's /hooks records (test only: codex-team never writes it).
    const hooks = findInstalledHooks(hooksPath, 'team');
    appendFileSync(configPath, hooks.map((hook) => `\n[hooks.state.${JSON.stringify(hook.key)}]\ntrusted_hash = ${JSON.stringify(hook.hash)}\n`).join(''));
    report = doctor(env);
    expect(report.stdout).toMatch(/^ok {4}hook Stop +trusted \(/m);
    expect(report.stdout).toMatch(/^ok {4}hook SubagentStop +trusted \(/m);
    expect((await env.exec('hello')).exitCode).toBe(0);
    expect(hookLog(env).map((line) => [line.event, line.rule])).toEqual([['Stop', 'hook.fail_open']]);

    // Changing a reviewed hook takes its trust away, in doctor and in Codex.
    writeFileSync(hooksPath, readFileSync(hooksPath, 'utf8').replace('"timeout": 5', '"timeout": 6'));
    report = doctor(env);
    expect(report.stdout).toMatch(/^FAIL {2}hook Stop +modified \(/m);
    expect((await env.exec('hello')).exitCode).toBe(0);
    expect(hookLog(env)).toHaveLength(1);
  });
});
