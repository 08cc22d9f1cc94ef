import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type ToolOutput } from '@codex-team/contracts';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { digestDatabase } from '@codex-team/store/testing';
import { TeamClient } from '../mcp/team-client';
import {
  CLI_BIN,
  killAllServes,
  mcpHeaders,
  openRawSession,
  rawRequest,
  rawToolCall,
  rpc,
  startServe,
  type RawResponse,
  type ServeProcess,
} from '../testing/serve-process';

jest.setTimeout(120_000);

/** Short, so the expiry test is quick; each test opens its own raw session, so none of them idles out. */
const IDLE_MS = 2_000;
const MAX_BODY_BYTES = 64 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function rpcError(response: RawResponse): number | undefined {
  try {
    return (JSON.parse(response.text) as { error?: { code?: number } }).error?.code;
  } catch {
    return undefined;
  }
}

/**
 * Bad HTTP requests against the built `codex-team serve --http`: each is refused with its HTTP
 * status (and JSON-RPC error), leaves every table of the store byte-identical, and leaves the
 * server serving (the lead's own session answers right after).
 */
describe('codex-team serve --http refusing bad requests', () => {
  let dir: string;
  let dbPath: string;
  let server: ServeProcess;
  let lead: TeamClient;
  let ann: ToolOutput<'team_spawn'>;
  let bob: ToolOutput<'team_spawn'>;
  let sessionId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-serve-'));
    dbPath = join(dir, 'team.db');
    // No recovery sweeps: a sweep would change the store at a random moment.
    server = await startServe(dbPath, ['--sweep-ms', '0', '--idle-ms', String(IDLE_MS), '--max-body-bytes', String(MAX_BODY_BYTES), '--log-level', 'warn']);
    lead = await TeamClient.connectHttp({ url: server.url, token: server.token, clientName: 'lead' });
    await lead.call('team_start', { name: 'http' });
    ann = await lead.call('team_spawn', { name: 'ann', role: 'implementer' });
    bob = await lead.call('team_spawn', { name: 'bob', role: 'implementer' });
  });

  beforeEach(async () => {
    sessionId = await openRawSession(server);
  });

  afterAll(async () => {
    await lead.close().catch(() => undefined);
    await server.stop();
    killAllServes();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The request is refused with `status` (and JSON-RPC `code`), the store is unchanged, the server serves on. */
  async function refused(send: () => Promise<RawResponse>, status: number, code?: number): Promise<RawResponse> {
    const before = digestDatabase(dbPath);
    const response = await send();
    expect(response.status).toBe(status);
    if (code !== undefined) expect(rpcError(response)).toBe(code);
    expect(digestDatabase(dbPath)).toEqual(before);
    expect(server.alive()).toBe(true);
    await expect(lead.call('team_status', {})).resolves.toMatchObject({ team: { name: 'http' } });
    return response;
  }

  const initialize = rpc(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } });

  it('refuses a request without a token (401, WWW-Authenticate: Bearer)', async () => {
    const { Authorization: _dropped, ...headers } = mcpHeaders(server);
    const response = await refused(() => rawRequest(server.url, { headers, body: initialize }), 401, -32000);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('refuses a wrong token, also on a live session (401)', async () => {
    await refused(() => rawRequest(server.url, { headers: { ...mcpHeaders(server), Authorization: `Bearer ${'x'.repeat(43)}` }, body: initialize }), 401);
    await refused(
      () => rawToolCall({ ...server, token: 'not-the-token' }, sessionId, 'team_join', { ticket: ann.join_ticket }),
      401,
    );
  });

  it('refuses a foreign Host header, token or not (403: DNS rebinding)', async () => {
    await refused(() => rawRequest(server.url, { headers: { ...mcpHeaders(server), Host: 'evil.example:80' }, body: initialize }), 403, -32000);
    await refused(() => rawRequest(server.url, { headers: { ...mcpHeaders(server, sessionId), Host: `attacker.example:${new URL(server.url).port}` }, body: rpc(3, 'tools/list') }), 403);
  });

  it('refuses a foreign Origin (403) and accepts the server’s own', async () => {
    await refused(() => rawRequest(server.url, { headers: { ...mcpHeaders(server), Origin: 'https://evil.example' }, body: initialize }), 403, -32000);
    const own = await rawRequest(server.url, { headers: { ...mcpHeaders(server, sessionId), Origin: `http://${server.hostHeader}` }, body: rpc(4, 'tools/list') });
    expect(own.status).toBe(200);
  });

  it('refuses a body over the limit (413) and keeps the session usable', async () => {
    const big = rpc(5, 'tools/call', { name: 'team_send', arguments: { to: 'all', body: 'x'.repeat(MAX_BODY_BYTES) } });
    await refused(() => rawRequest(server.url, { headers: mcpHeaders(server, sessionId), body: big }), 413, -32000);
    const after = await rawRequest(server.url, { headers: mcpHeaders(server, sessionId), body: rpc(6, 'tools/list') });
    expect(after.status).toBe(200);
  });

  it('answers a malformed body with a JSON-RPC parse error (400, -32700)', async () => {
    await refused(() => rawRequest(server.url, { headers: mcpHeaders(server, sessionId), body: '{"jsonrpc":"2.0","id":7,' }), 400, -32700);
    await refused(() => rawRequest(server.url, { headers: mcpHeaders(server), body: 'not json' }), 400, -32700);
    // Valid JSON that is no JSON-RPC message.
    await refused(() => rawRequest(server.url, { headers: mcpHeaders(server, sessionId), body: '{"hello":"world"}' }), 400);
  });

  it('refuses an unknown session id (404) and a call without one that is no initialize (400)', async () => {
    await refused(() => rawRequest(server.url, { headers: mcpHeaders(server, '00000000-0000-4000-8000-000000000000'), body: rpc(8, 'tools/list') }), 404, -32001);
    await refused(() => rawRequest(server.url, { headers: mcpHeaders(server), body: rpc(9, 'tools/list') }), 400, -32000);
  });

  it('refuses another path (404) and another method (405)', async () => {
    await refused(() => rawRequest(server.url.replace(/\/mcp$/, '/admin'), { headers: mcpHeaders(server), body: initialize }), 404);
    const response = await refused(() => rawRequest(server.url, { method: 'PUT', headers: mcpHeaders(server), body: initialize }), 405);
    expect(response.headers['allow']).toBe('GET, POST, DELETE');
  });

  it('ends an idle session, recording its agent’s disconnect, and refuses it afterwards (404)', async () => {
    const idle = await openRawSession(server);
    const joined = await rawToolCall(server, idle, 'team_join', { ticket: ann.join_ticket });
    expect(joined.status).toBe(200);
    expect(joined.text).not.toContain('"isError":true');
    const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new SequentialIdGenerator() });
    try {
      const teamId = (await store.listTeams())[0]?.id;
      if (teamId === undefined) throw new Error('no team');
      const disconnects = async () => (await store.listAuditEvents(teamId)).filter((event) => event.action === 'agent.disconnect');
      const deadline = Date.now() + 15_000;
      while ((await disconnects()).length === 0 && Date.now() < deadline) await sleep(100);
      const [event] = await disconnects();
      expect(event?.reason).toMatch(/idle for more than 2000 ms/);
    } finally {
      await store.close();
    }
    await refused(() => rawToolCall(server, idle, 'team_status', {}), 404, -32001);
  });

  it('ends a session on DELETE like stdin closing: the disconnect is recorded before the answer', async () => {
    const closing = await openRawSession(server);
    const joined = await rawToolCall(server, closing, 'team_join', { ticket: bob.join_ticket });
    expect(joined.text).not.toContain('"isError":true');
    const deleted = await rawRequest(server.url, { method: 'DELETE', headers: mcpHeaders(server, closing) });
    expect(deleted.status).toBe(200);
    const status = await lead.call('team_status', {});
    expect(status.agents.find((agent) => agent.name === 'bob')?.state).toBe('disconnected');
    await refused(() => rawToolCall(server, closing, 'team_status', {}), 404, -32001);
  });

  it('refuses one session more than --max-sessions (503) and serves again once one ended', async () => {
    const small = await startServe(join(dir, 'small.db'), ['--max-sessions', '1', '--sweep-ms', '0', '--log-level', 'warn']);
    try {
      const first = await openRawSession(small);
      const full = await rawRequest(small.url, { headers: mcpHeaders(small), body: initialize });
      expect(full.status).toBe(503);
      expect(full.headers['retry-after']).toBe('5');
      expect((await rawRequest(small.url, { method: 'DELETE', headers: mcpHeaders(small, first) })).status).toBe(200);
      await expect(openRawSession(small)).resolves.toEqual(expect.any(String));
      expect(small.alive()).toBe(true);
    } finally {
      await small.stop();
    }
  });

  it('stops on SIGTERM with exit 0, ending the sessions it still had', async () => {
    const other = await startServe(join(dir, 'stop.db'), ['--sweep-ms', '0', '--log-level', 'info']);
    const client = await TeamClient.connectHttp({ url: other.url, token: other.token, clientName: 'lead' });
    await client.call('team_start', { name: 'stopping' });
    expect(await other.stop()).toBe(0);
    await client.close().catch(() => undefined);
    const store = await openSqliteTeamStore({ path: join(dir, 'stop.db'), clock: systemClock, ids: new SequentialIdGenerator() });
    try {
      const teamId = (await store.listTeams())[0]?.id ?? '';
      const events = await store.listAuditEvents(teamId as never);
      expect(events.filter((event) => event.action === 'agent.disconnect').map((event) => event.reason)).toEqual(['the server was stopped']);
    } finally {
      await store.close();
    }
  });

  it('runs the lifecycle hooks of its --hooks file for every session, and refuses a file it could not use before serving', async () => {
    const hooks = join(dir, 'hooks.json');
    writeFileSync(hooks, JSON.stringify({ hooks: { PreTaskCreate: [{ hooks: [{ type: 'command', command: 'echo no tasks over http >&2; exit 2', name: 'no-tasks' }] }] } }));
    const other = await startServe(join(dir, 'hooks.db'), ['--sweep-ms', '0', '--log-level', 'warn', '--hooks', hooks]);
    const client = await TeamClient.connectHttp({ url: other.url, token: other.token, clientName: 'lead' });
    try {
      await client.call('team_start', { name: 'hooked' });
      await expect(client.call('team_task_create', { tasks: [{ title: 't', description: '', priority: 0, depends_on: [] }] })).rejects.toMatchObject({
        code: 'HOOK_BLOCKED',
      });
      expect((await client.call('team_task_list', {})).tasks).toEqual([]);
    } finally {
      await client.close().catch(() => undefined);
      await other.stop();
    }
    writeFileSync(join(dir, 'bad-hooks.json'), JSON.stringify({ hooks: { Stop: [] } }));
    const bad = spawnSync(process.execPath, [CLI_BIN, 'serve', '--http', '127.0.0.1:0', '--db', join(dir, 'bad.db'), '--hooks', join(dir, 'bad-hooks.json')], {
      encoding: 'utf8',
      env: { ...process.env, CODEX_TEAM_TOKEN: server.token },
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`codex-team serve: INVALID_INPUT: hooks file ${join(dir, 'bad-hooks.json')} is invalid: hooks.Stop: is not a known key\n`);
  });

  it('refuses to listen beyond loopback without --allow-remote, and a token shorter than 32 characters', () => {
    const remote = spawnSync(process.execPath, [CLI_BIN, 'serve', '--http', '0.0.0.0:0', '--db', join(dir, 'remote.db')], {
      encoding: 'utf8',
      env: { ...process.env, CODEX_TEAM_TOKEN: server.token },
    });
    expect(remote.status).toBe(1);
    expect(remote.stderr).toMatch(/^codex-team serve: INVALID_INPUT: refusing to listen on 0\.0\.0\.0.*--allow-remote/m);
    const short = spawnSync(process.execPath, [CLI_BIN, 'serve', '--http', '127.0.0.1:0', '--db', join(dir, 'short.db')], {
      encoding: 'utf8',
      env: { ...process.env, CODEX_TEAM_TOKEN: 'short' },
    });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/INVALID_INPUT: \$CODEX_TEAM_TOKEN holds a token of 5 characters/);
  });

  it('refuses --store-threads on a SQLite store, and a thread count out of range, each in one USAGE line, before creating anything', () => {
    const serve = (db: string, threads: string): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, [CLI_BIN, 'serve', '--http', '127.0.0.1:0', '--db', db, '--store-threads', threads], {
        encoding: 'utf8',
        env: { ...process.env, CODEX_TEAM_TOKEN: server.token },
      });
    const onSqlite = serve(join(dir, 'threads.db'), '4');
    expect(onSqlite.status).toBe(2);
    expect(onSqlite.stderr).toMatch(/^codex-team serve: USAGE: --store-threads is for a PostgreSQL store \(--db postgres:\/\/\.\.\.\)[^\n]*\n/);
    expect(existsSync(join(dir, 'threads.db'))).toBe(false);
    const none = serve('postgres://nobody@127.0.0.1:1/none', '0');
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('codex-team serve: USAGE: --store-threads must be a whole number from 1 to 16, got "0"\n');
  });
});
