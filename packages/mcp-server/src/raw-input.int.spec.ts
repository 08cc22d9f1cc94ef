import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { rawStoreText } from './testing/planted-secrets';
import { RawStdioClient, toolResultOf, type RawMessage } from './testing/raw-stdio';

jest.setTimeout(120_000);

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let dir: string;
const clients: RawStdioClient[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-raw-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(dbPath: string): Promise<RawStdioClient> {
  const client = await RawStdioClient.start(dbPath, ['--sweep-ms', '0']);
  clients.push(client);
  return client;
}

/** The error body of a refused tools/call. */
function refusal(message: RawMessage): { code: string; message: string; details?: Record<string, unknown> } {
  const { isError, body } = toolResultOf(message);
  if (!isError) throw new Error(`expected a refusal, got ${JSON.stringify(body).slice(0, 300)}`);
  return body['error'] as { code: string; message: string; details?: Record<string, unknown> };
}

async function teamNames(dbPath: string): Promise<string[]> {
  const store = await openSqliteTeamStore({ path: dbPath, clock: new FakeClock(0), ids: new SequentialIdGenerator() });
  try {
    return (await store.listTeams()).map((team) => team.name);
  } finally {
    await store.close();
  }
}

describe('the input normaliser, over stdio with raw JSON (built binary)', () => {
  it('refuses an own __proto__ key at the top of the arguments, naming it, and creates nothing', async () => {
    const dbPath = join(dir, 'proto.db');
    const client = await start(dbPath);
    const refused = refusal(await client.callToolRaw('team_start', '{"name":"polluted","__proto__":{"max_threads":1}}'));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.details?.['field']).toBe('__proto__');
    // The session still serves, and the refused call left no team behind.
    expect(toolResultOf(await client.callToolRaw('team_start', '{"name":"clean"}')).isError).toBe(false);
    await client.close();
    expect(await teamNames(dbPath)).toEqual(['clean']);
  });

  it.each([
    ['__proto__ in a task', '{"tasks":[{"title":"a","__proto__":{"priority":5}}]}', 'tasks.0.__proto__'],
    ['constructor in a task', '{"tasks":[{"title":"a","constructor":"x"}]}', 'tasks.0.constructor'],
    ['constructor at the top', '{"tasks":[{"title":"a"}],"constructor":{"name":"x"}}', 'constructor'],
    ['prototype at the top', '{"tasks":[{"title":"a"}],"prototype":1}', 'prototype'],
  ])('refuses %s with INVALID_INPUT naming the field', async (_name, args, field) => {
    const client = await start(join(dir, 'keys.db'));
    await client.callToolRaw('team_start', '{"name":"keys"}');
    const refused = refusal(await client.callToolRaw('team_task_create', args));
    expect(refused).toMatchObject({ code: 'INVALID_INPUT', details: { field } });
  });

  it.each([
    ['a title', 'team_task_create', '{"tasks":[{"title":"fix \\ud800 now"}]}', 'tasks.0.title'],
    ['a description', 'team_task_create', '{"tasks":[{"title":"t","description":"x\\udc00y"}]}', 'tasks.0.description'],
    ['a progress report', 'team_task_update', '{"task_id":"tk_1","fence":1,"progress":"half \\ud83d"}', 'progress'],
    ['a result', 'team_task_complete', '{"task_id":"tk_1","fence":1,"result":"done \\udfff"}', 'result'],
    ['a release reason', 'team_task_release', '{"task_id":"tk_1","fence":1,"reason":"\\ud800"}', 'reason'],
    ['a message body', 'team_send', '{"to":"*","body":"hi \\ud800"}', 'body'],
    ['an artifact content', 'team_artifact_publish', '{"name":"notes.md","content":"a\\ud800b"}', 'content'],
    ['a finalize summary', 'team_finalize', '{"summary":"\\udbff","force":true}', 'summary'],
    ['a key', 'team_task_create', '{"tasks":[{"title":"t","\\ud800":1}]}', 'tasks.0'],
  ])('refuses a lone surrogate in %s with INVALID_INPUT naming the field', async (_name, tool, args, field) => {
    const client = await start(join(dir, 'surrogates.db'));
    await client.callToolRaw('team_start', '{"name":"surrogates"}');
    const refused = refusal(await client.callToolRaw(tool, args));
    expect(refused).toMatchObject({ code: 'INVALID_INPUT', details: { field } });
    expect(refused.message).toContain(field);
  });

  it('stores well-formed astral text unaltered: an artifact reads back with a matching checksum', async () => {
    const client = await start(join(dir, 'astral.db'));
    await client.callToolRaw('team_start', '{"name":"astral"}');
    const content = 'release notes \u{1F680} \u{1D11E} done';
    const published = toolResultOf(await client.callToolRaw('team_artifact_publish', JSON.stringify({ name: 'notes.md', content })));
    const { id } = published.body['artifact'] as { id: string };
    const read = toolResultOf(await client.callToolRaw('team_artifact_read', JSON.stringify({ artifact_id: id })));
    expect(read.body['content']).toBe(content);
    // The publish answers a short row; the read has the whole header.
    const artifact = read.body['artifact'] as { sha256: string; size_bytes: number };
    expect(artifact.sha256).toBe(sha256(content));
    expect(artifact.size_bytes).toBe(Buffer.byteLength(content, 'utf8'));
  });
});

describe('malformed JSON-RPC lines, over stdio (built binary)', () => {
  it('answers a parse error or an invalid request, and keeps serving', async () => {
    const client = await start(join(dir, 'malformed.db'));
    client.writeLine('{"jsonrpc":"2.0","id":41,"method":"tools/list"');
    const parseError = await client.next((message) => message.error?.code === -32700);
    expect(parseError).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    client.writeLine('{"jsonrpc":"2.0","id":42}');
    expect(await client.next((message) => message.id === 42)).toMatchObject({ error: { code: -32600 } });
    client.writeLine(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(await client.next((message) => message.error?.code === -32700)).toMatchObject({ id: null });
    const listed = await client.request('tools/list', {});
    expect((listed.result as { tools: unknown[] }).tools.length).toBeGreaterThan(10);
  });
});

describe('the decision log', () => {
  it('never stores a secret sent as the tool name', async () => {
    const dbPath = join(dir, 'toolname.db');
    const client = await start(dbPath);
    await client.callToolRaw('team_start', '{"name":"names"}');
    const secret = ['gh', 'p_', 'Q7szhEHuc1ngyyzJesud0x9KpLm3RtVw8bNa'].join('');
    const refused = refusal(await client.callToolRaw(secret, '{}'));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(JSON.stringify(refused)).not.toContain(secret);
    await client.close();
    expect(rawStoreText(dbPath)).not.toContain(secret);
    expect(rawStoreText(dbPath)).toContain('[REDACTED:github-token]');
  });
});
