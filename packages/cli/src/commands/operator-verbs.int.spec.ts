import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTeamError, type ToolOutput } from '@codex-team/contracts';
import { TeamClient } from '../mcp/team-client';
import { CLI_BIN, killAllServes, startServe, type ServeProcess } from '../testing/serve-process';

jest.setTimeout(180_000);

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The operator's verbs against a store a real `codex-team serve --http` process has open, with a
 * lead and a teammate connected over MCP: what the operator writes reaches the agents through
 * the server, and the agents' own calls see its effect.
 */
describe('operator verbs while a server runs', () => {
  let dir: string;
  let dbPath: string;
  let server: ServeProcess;
  let lead: TeamClient;
  let ann: TeamClient;
  let started: ToolOutput<'team_start'>;
  let annId: string;
  let claim: ToolOutput<'team_task_next'>;

  const cli = (...argv: string[]): Outcome => {
    const result = spawnSync(process.execPath, [CLI_BIN, ...argv, '--db', dbPath], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), CODEX_HOME: join(dir, 'codex') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const json = <T>(outcome: Outcome): T => {
    expect({ status: outcome.status, stderr: outcome.stderr }).toEqual({ status: 0, stderr: '' });
    return JSON.parse(outcome.stdout) as T;
  };
  const refusal = async (work: Promise<unknown>): Promise<string> => {
    try {
      await work;
    } catch (error) {
      if (isTeamError(error)) return error.code;
      throw error;
    }
    throw new Error('the call was not refused');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-operator-'));
    dbPath = join(dir, 'team.db');
    server = await startServe(dbPath, ['--sweep-ms', '0', '--log-level', 'warn']);
    lead = await TeamClient.connectHttp({ url: server.url, token: server.token, clientName: 'lead' });
    started = await lead.call('team_start', { name: 'ops', objective: 'steer me' });
    const spawned = await lead.call('team_spawn', { name: 'ann', role: 'implementer' });
    ann = await TeamClient.connectHttp({ url: server.url, token: server.token, clientName: 'ann' });
    annId = (await ann.call('team_join', { ticket: spawned.join_ticket })).agent.id;
    await lead.call('team_task_create', {
      tasks: [
        { key: 'a', title: 'Build it', description: '', priority: 1, depends_on: [], required_role: 'implementer' },
        { key: 'b', title: 'Ship it', description: '', priority: 0, depends_on: ['a'] },
      ],
    });
    claim = await ann.call('team_task_next', {});
  });

  afterAll(async () => {
    await ann?.close().catch(() => undefined);
    await lead?.close().catch(() => undefined);
    await server?.stop();
    killAllServes();
    rmSync(dir, { recursive: true, force: true });
  });

  it('teams lists the team as active, with its lead and the folder its server was started from', () => {
    const listed = json<{ teams: Record<string, unknown>[] }>(cli('teams', '--json'));
    expect(listed.teams).toEqual([
      expect.objectContaining({ id: started.team.id, name: 'ops', state: 'active', cwd: process.cwd(), parent_team_id: null, lead: expect.objectContaining({ name: 'lead', state: 'active' }) }),
    ]);
  });

  it('send reaches the agent through team_inbox, marked as from the operator, and a retry with the same key is stored once', async () => {
    const first = json<{ message: { id: string; to_agent_id: string; from_agent_id: null; sender_kind: string }; duplicate: boolean }>(
      cli('send', 'ops', '--to', 'ann', 'stop and write tests first', '--idempotency-key', 'k1', '--json'),
    );
    expect(first.message).toMatchObject({ to_agent_id: annId, from_agent_id: null, sender_kind: 'operator' });
    const again = json<{ message: { id: string }; duplicate: boolean }>(cli('send', 'ops', '--to', 'ann', 'stop and write tests first', '--idempotency-key', 'k1', '--json'));
    expect(again).toEqual({ ...first, duplicate: true });
    const other = cli('send', 'ops', '--to', 'ann', 'something else', '--idempotency-key', 'k1');
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/^codex-team send: CONFLICT: idempotency key k1 was already used/);
    const inbox = await ann.call('team_inbox', {});
    await ann.call('team_inbox', { ack: inbox.messages.map((m) => m.id) });
    // The inbox row: no from_agent_id (no agent sent it), sender_kind operator, not a broadcast.
    expect(inbox.messages).toEqual([{ id: first.message.id, sender_kind: 'operator', body: 'stop and write tests first', created_at: expect.any(String) }]);
    const toLead = json<{ message: { to_agent_id: string } }>(cli('send', 'ops', '--to', 'lead', 'how is it going?', '--json'));
    expect(toLead.message.to_agent_id).toBe(started.agent.id);
    expect(cli('send', 'ops', '--to', 'nobody', 'hi').stderr).toMatch(/^codex-team send: NOT_FOUND: no agent "nobody" in team ops\n$/);
    const messages = cli('messages', 'ops', '--agent', 'ann');
    expect(messages.stdout).toContain('operator -> ann: stop and write tests first');
    expect(messages.stdout).not.toContain('how is it going?');
  });

  it('agent shows what an agent holds and was told', () => {
    const shown = json<{ agent: { name: string }; claimed_tasks: { id: string }[]; recent_messages: { body: string }[] }>(cli('agent', 'ops', 'ann', '--json'));
    expect(shown.agent.name).toBe('ann');
    expect(shown.claimed_tasks.map((task) => task.id)).toEqual([claim.claim?.task.id]);
    expect(shown.recent_messages.map((m) => m.body)).toEqual(['stop and write tests first']);
  });

  it('finalize refuses a team with work open; cancel ends it, audited as the operator, and the agents see it', async () => {
    const refused = cli('finalize', 'ops');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^codex-team finalize: CONFLICT: 2 tasks are unfinished/);
    const cancelled = json<{ team: { state: string; cancelled_at?: string }; cancelled_task_ids: string[] }>(cli('cancel', 'ops', '--reason', 'wrong objective', '--json'));
    expect(cancelled.team.state).toBe('finalized');
    expect(cancelled.team.cancelled_at).toEqual(expect.any(String));
    expect(cancelled.cancelled_task_ids).toHaveLength(2);
    // The agent's claim is gone, its write refused; its inbox says why.
    const held = claim.claim;
    if (held === null) throw new Error('ann claimed nothing');
    expect(await refusal(ann.call('team_task_complete', { task_id: held.task.id, fence: held.fence, outcome: 'done', result: 'x', artifact_ids: [] }))).toBe('TEAM_FINALIZED');
    const inbox = await ann.call('team_inbox', {});
    expect(inbox.messages.map((m) => [m.sender_kind, m.body])).toEqual([['operator', expect.stringContaining('The operator cancelled team ops: wrong objective')]]);
    const listed = json<{ teams: { state: string }[] }>(cli('teams', '--json'));
    expect(listed.teams.map((team) => team.state)).toEqual(['cancelled']);
    expect(cli('cancel', 'ops').stderr).toMatch(/^codex-team cancel: TEAM_FINALIZED: team ops \(tm_\w+\) is already cancelled\n$/);
    const events = json<{ action: string; actor_agent_id: string | null; actor_kind?: string }[]>(cli('replay', 'ops', '--json'));
    // The two sends (the retry wrote nothing), the cancel and its word to the agents.
    const byOperator = events.filter((event) => event.actor_kind === 'operator');
    expect(byOperator.map((event) => event.action)).toEqual(['message.send', 'message.send', 'team.finalize', 'message.send']);
    expect(byOperator.every((event) => event.actor_agent_id === null)).toBe(true);
    expect(cli('replay', 'ops').stdout).toMatch(/\(operator\)\s+team\.finalize/);
    expect(cli('replay', 'ops', '--verify').status).toBe(0);
  });

  it('prune removes the cancelled team with all its rows, never an active one', async () => {
    const other = await TeamClient.connectHttp({ url: server.url, token: server.token, clientName: 'lead2' });
    try {
      await other.call('team_start', { name: 'still-running' });
      const dry = json<{ team_ids: string[]; dry_run: boolean }>(cli('prune', '--older-than', '0s', '--dry-run', '--json'));
      expect(dry).toMatchObject({ team_ids: [started.team.id], dry_run: true });
      expect(json<{ teams: { name: string }[] }>(cli('teams', '--json')).teams.map((team) => team.name)).toEqual(['still-running', 'ops']);
      const pruned = json<{ team_ids: string[] }>(cli('prune', '--older-than', '0s', '--json'));
      expect(pruned.team_ids).toEqual([started.team.id]);
      expect(json<{ teams: { name: string; state: string }[] }>(cli('teams', '--json')).teams).toEqual([expect.objectContaining({ name: 'still-running', state: 'active' })]);
      // The server serves on: the running team's lead still works.
      expect((await other.call('team_status', {})).team.name).toBe('still-running');
    } finally {
      await other.close().catch(() => undefined);
    }
  });
});
