import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TaskNextOutputSchema,
  TeamJoinOutputSchema,
  TeamStartOutputSchema,
  type AuditEvent,
  type TeamId,
} from '@codex-team/contracts';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { killAllServes, startServe, type ServeProcess } from '../testing/serve-process';
import { runCodexExec, writeScriptedProviderConfig } from '../testing/codex-exec';
import { builtCliBin } from '../testing/codex-team-env';
import { runOneTeammate, ticketIn } from '../testing/program-helpers';
import { ScriptedResponses, mcpCall, type AgentProgram, type ThreadInfo } from '../testing/scripted-responses';

// A real `codex exec` (scripted model, no network) whose threads reach codex-team through one
// `codex-team serve --http`, registered by `codex-team install --url --bearer-env`: the lead and a
// spawned teammate each open their own MCP session over HTTP, with the bearer token Codex reads
// from the environment variable the entry names.

jest.setTimeout(120_000);

const TOKEN_ENV = 'CODEX_TEAM_TOKEN';

interface Facts {
  teamId?: string;
  mateId?: string;
}

function* teammate(info: ThreadInfo, facts: Facts): AgentProgram {
  const ticket = ticketIn(info.userTexts);
  if (ticket === undefined) return 'no join ticket in my instructions';
  const joined = TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket })).json);
  facts.mateId = joined.agent.id;
  let done = 0;
  for (let polls = 0; done < 2 && polls < 200; polls += 1) {
    const next = TaskNextOutputSchema.parse((yield mcpCall('team_task_next')).json);
    if (next.claim === null) continue;
    yield mcpCall('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: `${next.claim.task.title}: done` });
    done += 1;
  }
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `finished ${done} tasks` });
  return `${joined.agent.name}: ${done} tasks done`;
}

function* lead(facts: Facts): AgentProgram {
  const started = TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'http team', objective: 'over HTTP' })).json);
  facts.teamId = started.team.id;
  yield mcpCall('team_task_create', { tasks: [{ title: 'First' }, { title: 'Second' }] });
  const inbox = yield* runOneTeammate('ann', 'implementer');
  return `LEAD-FINAL: ${inbox.messages.length} report over HTTP`;
}

describe('codex-team serve --http inside a real Codex (scripted model, no network)', () => {
  let root: string;
  let responses: ScriptedResponses | undefined;
  let server: ServeProcess | undefined;

  afterEach(async () => {
    await responses?.close();
    await server?.stop();
    killAllServes();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a lead and a teammate, each in its own HTTP session, authenticated by the token from the named variable', async () => {
    root = mkdtempSync(join(tmpdir(), 'codex-team-e2e-http-'));
    const homeDir = join(root, 'home');
    const codexHome = join(homeDir, '.codex');
    const workspace = join(root, 'workspace');
    mkdirSync(workspace, { recursive: true });
    const dbPath = join(root, 'store', 'team.db');
    mkdirSync(join(root, 'store'));
    const facts: Facts = {};
    responses = await ScriptedResponses.start((info) => (info.parentThreadId === undefined ? lead(facts) : teammate(info, facts)));
    writeScriptedProviderConfig(codexHome, responses.baseUrl);
    server = await startServe(dbPath, ['--idle-ms', '1000', '--log-level', 'info']);
    execFileSync(process.execPath, [builtCliBin(), 'install', '--codex-home', codexHome, '--url', server.url, '--bearer-env', TOKEN_ENV], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir },
      encoding: 'utf8',
    });
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).not.toContain(server.token);

    const run = await runCodexExec({ codexHome, homeDir, cwd: workspace, prompt: 'Use a codex-team team over HTTP.', env: { [TOKEN_ENV]: server.token } });
    expect(responses.errors).toEqual([]);
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('LEAD-FINAL: 1 report over HTTP');
    expect(run.stderr).toContain('mcp: team/team_start (completed)');
    expect(run.stderr).not.toContain('(failed)');
    expect(server.alive()).toBe(true);

    // Two MCP sessions (the lead's thread and the teammate's), none refused for its token.
    expect(server.logs.filter((line) => line['msg'] === 'session opened').length).toBeGreaterThanOrEqual(2);
    expect(server.logs.filter((line) => line['status'] === 401)).toEqual([]);

    const { teamId, mateId } = facts;
    if (teamId === undefined || mateId === undefined) throw new Error('the team did not start or the teammate did not join');
    // Both agents' sessions end when Codex does; each disconnect is recorded as for stdio.
    let events: AuditEvent[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const store = await openSqliteTeamStore({ path: dbPath, clock: { now: () => Date.now() }, ids: new SequentialIdGenerator() });
      try {
        events = await store.listAuditEvents(teamId as TeamId);
      } finally {
        await store.close();
      }
      if (events.filter((event) => event.action === 'agent.disconnect').length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const completions = events.filter((event) => event.action === 'task.complete');
    expect(completions.map((event) => event.actor_agent_id)).toEqual([mateId, mateId]);
    expect(events.filter((event) => event.action === 'agent.disconnect').length).toBe(2);
  });
});
