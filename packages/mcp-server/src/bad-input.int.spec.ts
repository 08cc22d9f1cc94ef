import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorCode, ToolOutput } from '@codex-team/contracts';
import { digestDatabase } from '@codex-team/store/testing';
import { CallToolResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';
import { VALID_BOUND_CALLS } from './testing/valid-calls';

jest.setTimeout(120_000);

const LEASE_MS = 300;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bad calls against the built binary. Each must get its exact error code, leave every table of the
 * store byte-identical, and leave the process serving (a later call on the same session works).
 */
describe('codex-team-mcp refusing bad input over stdio', () => {
  let dir: string;
  let dbPath: string;
  let lead: StdioAgent;
  let mate: StdioAgent;
  let other: StdioAgent;
  let started: ToolOutput<'team_start'>;
  let spawned: ToolOutput<'team_spawn'>;
  let foreign: { taskId: string; agentId: string; artifactId: string };
  let tasks: ToolOutput<'team_task_create'>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-bad-'));
    dbPath = join(dir, 'team.db');
    // No recovery sweeps: this suite checks that refused calls leave the store byte-identical, and a
    // sweep taking back the expired claim below would change it at a random moment.
    const args = ['--lease-ms', String(LEASE_MS), '--sweep-ms', '0'];
    [lead, mate, other] = await Promise.all([spawnStdioAgent(dbPath, args), spawnStdioAgent(dbPath, args), spawnStdioAgent(dbPath, args)]);
    started = await lead.caller.ok('team_start', { name: 'home' });
    spawned = await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
    tasks = await lead.caller.ok('team_task_create', {
      tasks: [
        { key: 'a', title: 'A', required_role: 'implementer' },
        { key: 'b', title: 'B', required_role: 'implementer' },
        { key: 'c', title: 'C', depends_on: ['a'] },
      ],
    });
    // A second team in the same store, whose ids the first team must not reach.
    const otherTeam = await other.caller.ok('team_start', { name: 'elsewhere' });
    const otherTasks = await other.caller.ok('team_task_create', { tasks: [{ title: 'theirs' }] });
    const otherArtifact = await other.caller.ok('team_artifact_publish', { name: 'secret', content: 'theirs' });
    foreign = { taskId: otherTasks.ids[0]!, agentId: otherTeam.agent.id, artifactId: otherArtifact.artifact.id };
  });

  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The call fails with `code`, nothing in the store changed, and the session still answers. */
  async function refused(agent: StdioAgent, name: string, args: unknown, code: ErrorCode): Promise<void> {
    const before = digestDatabase(dbPath);
    const body = await agent.caller.fails(name, args);
    expect({ name, code: body.code }).toEqual({ name, code });
    expect(digestDatabase(dbPath)).toEqual(before);
    await stillServing(agent);
  }

  async function stillServing(agent: StdioAgent): Promise<void> {
    expect(() => process.kill(agent.pid, 0)).not.toThrow();
    // An answer of any kind (a bound session's status, or NOT_BOUND) shows the session is alive.
    const result = await agent.caller.call('team_status', {});
    expect(result.content.length).toBeGreaterThan(0);
  }

  it('refuses arguments of the wrong type', async () => {
    await refused(lead, 'team_task_create', { tasks: 'all of them' }, 'INVALID_INPUT');
    await refused(lead, 'team_start', { name: ['x'] }, 'INVALID_INPUT');
    await refused(mate, 'team_task_next', { task_id: 42 }, 'INVALID_INPUT');
    await refused(mate, 'team_task_complete', { task_id: tasks.ids[0]!, fence: 'one', result: 'r' }, 'INVALID_INPUT');
  });

  it('refuses unknown fields, including an attempt to speak as another agent', async () => {
    await refused(mate, 'team_send', { to: '*', body: 'hi', from_agent_id: started.agent.id }, 'INVALID_INPUT');
    await refused(mate, 'team_task_next', { agent_id: started.agent.id }, 'INVALID_INPUT');
  });

  it('refuses a tools/call whose arguments are not an object at the protocol level and keeps serving', async () => {
    const before = digestDatabase(dbPath);
    const call = mate.caller.client.request(
      { method: 'tools/call', params: { name: 'team_status', arguments: 'nope' as unknown as Record<string, unknown> } },
      CallToolResultSchema,
    );
    // The SDK refuses it before our handler runs, as a JSON-RPC error rather than a tool result.
    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect(call).rejects.toMatchObject({ code: expect.any(Number) as number });
    expect(digestDatabase(dbPath)).toEqual(before);
    await stillServing(mate);
  });

  it('refuses huge strings: a 20 MB message body, a 2 MB artifact, and a 40 MB request', async () => {
    await refused(mate, 'team_send', { to: started.agent.id, body: 'x'.repeat(20 * 1024 * 1024) }, 'PAYLOAD_TOO_LARGE');
    await refused(mate, 'team_artifact_publish', { name: 'big', content: 'y'.repeat(2 * 1024 * 1024) }, 'PAYLOAD_TOO_LARGE');
    await refused(lead, 'team_task_create', { tasks: [{ title: 't', description: 'z'.repeat(40 * 1024 * 1024) }] }, 'PAYLOAD_TOO_LARGE');
    expect(lead.logs.some((line) => line['msg'] === 'request larger than the server accepts')).toBe(true);
  });

  it('refuses a dependency cycle', async () => {
    const cycle = {
      tasks: [
        { key: 'x', title: 'X', depends_on: ['z'] },
        { key: 'y', title: 'Y', depends_on: ['x'] },
        { key: 'z', title: 'Z', depends_on: ['y'] },
      ],
    };
    await refused(lead, 'team_task_create', cycle, 'CYCLE_DETECTED');
  });

  it("refuses another team's task, agent and artifact ids as unknown", async () => {
    await refused(mate, 'team_task_next', { task_id: foreign.taskId }, 'NOT_FOUND');
    await refused(mate, 'team_task_complete', { task_id: foreign.taskId, fence: 1, result: 'r' }, 'NOT_FOUND');
    await refused(mate, 'team_send', { to: foreign.agentId, body: 'psst' }, 'NOT_FOUND');
    await refused(mate, 'team_artifact_read', { artifact_id: foreign.artifactId }, 'NOT_FOUND');
    await refused(mate, 'team_send', { to: started.agent.id, body: 'see', artifact_refs: [foreign.artifactId] }, 'NOT_FOUND');
    await refused(lead, 'team_task_create', { tasks: [{ title: 'dep', depends_on: [foreign.taskId] }] }, 'NOT_FOUND');
  });

  it('refuses a stale fence and, past --lease-ms, an expired lease', async () => {
    const claim = (await mate.caller.ok('team_task_next', { task_id: tasks.keys['a']! })).claim!;
    await refused(mate, 'team_task_complete', { task_id: claim.task.id, fence: claim.fence + 1, result: 'r' }, 'STALE_CLAIM');
    await refused(mate, 'team_task_release', { task_id: claim.task.id, fence: claim.fence - 1, reason: 'r' }, 'STALE_CLAIM');
    await sleep(LEASE_MS + 100);
    await refused(mate, 'team_task_complete', { task_id: claim.task.id, fence: claim.fence, result: 'late' }, 'STALE_CLAIM');
    await refused(mate, 'team_task_update', { task_id: claim.task.id, fence: claim.fence, progress: 'p' }, 'STALE_CLAIM');
  });

  it('refuses every bound tool before team_join, in a fresh process', async () => {
    const fresh = await spawnStdioAgent(dbPath);
    for (const [name, args] of VALID_BOUND_CALLS) await refused(fresh, name, args, 'NOT_BOUND');
  });

  it('refuses team_join with a used ticket', async () => {
    const fresh = await spawnStdioAgent(dbPath);
    await refused(fresh, 'team_join', { ticket: spawned.join_ticket }, 'NOT_FOUND');
    await refused(fresh, 'team_join', { ticket: 'not a ticket' }, 'NOT_FOUND');
  });

  it('refuses lead-only tools to a teammate', async () => {
    await refused(mate, 'team_spawn', { name: 'bob', role: 'tester' }, 'DENIED');
    await refused(mate, 'team_finalize', { force: true }, 'DENIED');
  });

  it('is still serving every session after all of it', async () => {
    for (const agent of [lead, mate, other]) {
      expect((await agent.caller.ok('team_status')).team.state).toBe('active');
    }
  });
});
