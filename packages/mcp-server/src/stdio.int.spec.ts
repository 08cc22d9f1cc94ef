import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_NAMES, type AuditEvent, type ToolOutput } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';

jest.setTimeout(120_000);

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-stdio-'));
});
afterEach(async () => {
  await closeAllStdioAgents();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What a teammate did, as the test counts state changes it expects in the audit trail. */
interface WorkLog {
  completed: string[];
  sends: number;
  acks: number;
  artifactsChecked: number;
}

/**
 * A teammate's loop, as the spawn instruction asks: claim the next task, report progress, publish
 * its work, tell the lead (and the reviewer), complete with evidence, handle the inbox; stop when
 * no task is left anywhere.
 */
async function workUntilDone(
  agent: StdioAgent,
  me: { name: string },
  leadId: string,
  reviewerId: string | null,
): Promise<WorkLog> {
  const log: WorkLog = { completed: [], sends: 0, acks: 0, artifactsChecked: 0 };
  const handleInbox = async (): Promise<void> => {
    const inbox = await agent.caller.ok('team_inbox', {});
    for (const message of inbox.messages) {
      for (const ref of message.artifact_refs ?? []) {
        const read = await agent.caller.ok('team_artifact_read', { artifact_id: ref });
        expect(sha256(read.content)).toBe(read.artifact.sha256);
        expect(Buffer.byteLength(read.content)).toBe(read.artifact.size_bytes);
        log.artifactsChecked += 1;
      }
    }
    if (inbox.messages.length > 0) {
      const acked = await agent.caller.ok('team_inbox', { ack: inbox.messages.map((message) => message.id) });
      expect(acked.acked).toBe(inbox.messages.length);
      log.acks += 1;
    }
  };
  for (;;) {
    await handleInbox();
    const next = await agent.caller.ok('team_task_next');
    if (next.claim === null) {
      const open = await agent.caller.ok('team_task_list', { status: ['blocked', 'ready', 'in_progress'] });
      if (open.tasks.length === 0) break;
      await sleep(25);
      continue;
    }
    const { task, fence } = next.claim;
    await agent.caller.ok('team_task_update', { task_id: task.id, fence, progress: `${me.name} started` });
    const content = `${task.title}: done by ${me.name}\n`;
    const published = await agent.caller.ok('team_artifact_publish', {
      name: 'worklog',
      content,
      media_type: 'text/markdown',
      task_id: task.id,
      fence,
    });
    // The publish answers the short row; the whole header (sha256 included) is team_artifact_read's.
    expect(published.artifact).toMatchObject({ size_bytes: Buffer.byteLength(content), task_id: task.id });
    expect((await agent.caller.ok('team_artifact_read', { artifact_id: published.artifact.id })).artifact.sha256).toBe(sha256(content));
    await agent.caller.ok('team_send', { to: leadId, body: `finished ${task.title}`, artifact_refs: [published.artifact.id] });
    log.sends += 1;
    if (reviewerId !== null) {
      await agent.caller.ok('team_send', { to: reviewerId, body: `please look at ${task.title}`, artifact_refs: [published.artifact.id] });
      log.sends += 1;
    }
    const done = await agent.caller.ok('team_task_complete', {
      task_id: task.id,
      fence,
      result: `${task.title} finished; worklog v${published.artifact.version} checked by sha256`,
      artifact_ids: [published.artifact.id],
    });
    expect(done.task.status).toBe('done');
    log.completed.push(task.id);
  }
  await handleInbox();
  return log;
}

describe('codex-team-mcp over stdio (built binary)', () => {
  // Codex keeps no server's stderr: install gives every server a log file, which two processes share.
  it('appends its log lines to --log-file as well as stderr, two servers to one file, each line whole', async () => {
    const dbPath = join(dir, 'logged.db');
    const logFile = join(dir, 'logs', 'server-team.log');
    const first = await spawnStdioAgent(dbPath, ['--log-file', logFile]);
    const second = await spawnStdioAgent(dbPath, ['--log-file', logFile]);
    await first.caller.ok('team_start', { name: 'logged' });
    await second.caller.fails('team_status', {});
    await first.close();
    await second.close();
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(new Set(lines.map((line) => line['pid']))).toEqual(new Set([first.pid, second.pid]));
    expect(lines.filter((line) => line['tool'] === 'team_start' && line['pid'] === first.pid)).toHaveLength(1);
    expect(lines.filter((line) => line['tool'] === 'team_status' && line['pid'] === second.pid)).toHaveLength(1);
    // The same lines still reach stderr.
    expect(first.logs.filter((line) => line['tool'] === 'team_start')).toHaveLength(1);
  });

  it('keeps serving on stderr alone, saying why, when its --log-file cannot be written', async () => {
    const notAFolder = join(dir, 'plain-file');
    writeFileSync(notAFolder, 'x');
    const agent = await spawnStdioAgent(join(dir, 'unlogged.db'), ['--log-file', join(notAFolder, 'server.log')]);
    await agent.caller.ok('team_start', { name: 'unlogged' });
    // The start-up line comes on stderr, the answer on stdout: two pipes, which a loaded machine may
    // read in either order. Read stderr whole, once the server has ended. The path holds the test's
    // mkdtemp folder, whose random suffix the redactor took for a secret in some runs until it
    // learnt paths: a log names its paths as they are.
    await agent.close();
    expect(agent.logs.find((line) => line['log_file'] === join(notAFolder, 'server.log'))).toMatchObject({ msg: expect.stringContaining('logging to stderr only') });
  });

  it('says at start-up, in its log and on stderr, that test-only faults are on, and a server without them says nothing', async () => {
    const faulty = await spawnStdioAgent(join(dir, 'faulty.db'), [], { env: { CODEX_TEAM_TEST_FAULTS: 'ignore-hook-blocks' } });
    const plain = await spawnStdioAgent(join(dir, 'plain.db'));
    await faulty.caller.ok('team_start', { name: 'faulty' });
    await plain.caller.ok('team_start', { name: 'plain' });
    expect(faulty.logs.find((line) => line['level'] === 40 && line['injected_faults'] !== undefined)).toMatchObject({
      injected_faults: { padAnswerBytes: 0, ignoreHookBlocks: true },
      msg: expect.stringMatching(/^TEST ONLY: CODEX_TEAM_TEST_FAULTS .*ignore-hook-blocks/),
    });
    // The plain line, there whatever the log level.
    expect(faulty.logs.some((line) => line['unparsed'] === true && String(line['msg']).startsWith('codex-team-mcp: TEST ONLY'))).toBe(true);
    expect(plain.logs.some((line) => String(line['msg']).includes('CODEX_TEAM_TEST_FAULTS'))).toBe(false);
  });

  it('lists exactly the catalog tools', async () => {
    const agent = await spawnStdioAgent(join(dir, 'list.db'));
    const { tools } = await agent.caller.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
  });

  it('runs a lead and two teammates in three processes on one store, through a DAG to finalize', async () => {
    const dbPath = join(dir, 'flow.db');
    const leadProc = await spawnStdioAgent(dbPath);
    const started = await leadProc.caller.ok('team_start', { name: 'release', objective: 'ship 1.0', max_threads: 2 });
    const leadId = started.agent.id;
    const created = await leadProc.caller.ok('team_task_create', {
      tasks: [
        { key: 'design', title: 'Design', required_role: 'implementer', priority: 10 },
        { key: 'core', title: 'Core', required_role: 'implementer', depends_on: ['design'] },
        { key: 'cli', title: 'CLI', required_role: 'implementer', depends_on: ['design'] },
        { key: 'review-core', title: 'Review core', required_role: 'reviewer', depends_on: ['core'] },
        { key: 'review-cli', title: 'Review CLI', required_role: 'reviewer', depends_on: ['cli'] },
        { key: 'docs', title: 'Docs', required_role: 'implementer', depends_on: ['review-core', 'review-cli'] },
        { key: 'notes', title: 'Release notes', required_role: 'reviewer', depends_on: ['docs'] },
      ],
    });
    expect(created.ids).toHaveLength(7);
    const listed = await leadProc.caller.ok('team_task_list', {});
    const roleOf = new Map(listed.tasks.map((task) => [task.id, task.required_role ?? null]));

    const spawnedAnn = await leadProc.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    const spawnedRev = await leadProc.caller.ok('team_spawn', { name: 'rev', role: 'reviewer' });
    const annProc = await spawnStdioAgent(dbPath);
    const revProc = await spawnStdioAgent(dbPath);
    const ann = await annProc.caller.ok('team_join', { ticket: spawnedAnn.join_ticket });
    const rev = await revProc.caller.ok('team_join', { ticket: spawnedRev.join_ticket });
    expect(new Set([leadProc.pid, annProc.pid, revProc.pid]).size).toBe(3);

    // A broadcast retried with its idempotency key is stored once.
    const hello = { to: '*', body: 'ann here, starting on design', idempotency_key: 'ann-hello' };
    const first = await annProc.caller.ok('team_send', hello);
    const retried = await annProc.caller.ok('team_send', hello);
    expect(retried).toEqual({ message_id: first.message_id, duplicate: true });

    const [annLog, revLog] = await Promise.all([
      workUntilDone(annProc, { name: 'ann' }, leadId, rev.agent.id),
      workUntilDone(revProc, { name: 'rev' }, leadId, null),
    ]);
    expect(annLog.completed).toHaveLength(4);
    expect(revLog.completed).toHaveLength(3);
    expect(revLog.artifactsChecked).toBeGreaterThanOrEqual(4);

    const versions = await leadProc.caller.ok('team_artifact_list', { name: 'worklog' });
    expect(versions.artifacts.map((artifact) => artifact.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // The lead reads everything sent to it, then acks and finalizes.
    const messages: ToolOutput<'team_inbox'>['messages'] = [];
    let leadAcks = 0;
    for (;;) {
      const page = await leadProc.caller.ok('team_inbox', { limit: 5 });
      if (page.messages.length === 0) break;
      messages.push(...page.messages);
      await leadProc.caller.ok('team_inbox', { ack: page.messages.map((message) => message.id) });
      leadAcks += 1;
    }
    expect(messages.filter((message) => message.body.startsWith('finished '))).toHaveLength(7);
    expect(messages.filter((message) => message.body === hello.body)).toHaveLength(1);
    const status = await leadProc.caller.ok('team_status');
    expect(status.tasks_by_status['done']).toBe(7);
    const finalized = await leadProc.caller.ok('team_finalize', { summary: 'shipped 1.0' });
    expect(finalized).toMatchObject({ team: { state: 'finalized' }, cancelled_task_ids: [] });

    const store = await openSqliteTeamStore({ path: dbPath, clock: new FakeClock(), ids: new SequentialIdGenerator() });
    try {
      const events = await store.listAuditEvents(started.team.id, { limit: 10_000 });
      // Rebalancing decisions and their notices depend on when the sweeps fall (rebalance.int.spec
      // checks them); the lead's team_status only reads the decision on record.
      const rebalancing = (event: AuditEvent) => event.action === 'rebalance.decide' || event.reason.startsWith('rebalancing notice');
      const counts: Record<string, number> = {};
      for (const event of events.filter((each) => !rebalancing(each))) counts[event.action] = (counts[event.action] ?? 0) + 1;
      expect(counts).toEqual({
        'team.start': 1,
        'agent.spawn': 2,
        'agent.join': 2,
        'task.create': 7,
        'task.claim': 7,
        'task.progress': 7,
        'artifact.publish': 7,
        'message.send': 1 + annLog.sends + revLog.sends,
        'message.ack': annLog.acks + revLog.acks + leadAcks,
        'task.complete': 7,
        // The lead's team_status logs its first staffing recommendation ("spawn nobody").
        'policy.fanout': 1,
        'team.finalize': 1,
      });
      expect(events.map((event) => event.seq)).toEqual([...events.keys()].map((index) => events[0]!.seq + index));
      // Every task completed exactly once, by an agent of the role it required.
      const roleOfAgent = new Map([
        [ann.agent.id, 'implementer'],
        [rev.agent.id, 'reviewer'],
      ]);
      const completions = events.filter((event) => event.action === 'task.complete');
      expect(new Set(completions.map((event) => event.subject_id)).size).toBe(7);
      for (const event of completions) {
        expect(roleOfAgent.get(event.actor_agent_id ?? '')).toBe(roleOf.get(event.subject_id ?? ''));
      }
    } finally {
      await store.close();
    }
  });

  it('records a teammate disconnect when its stdin closes and when it gets SIGTERM, and the lead sees both', async () => {
    const dbPath = join(dir, 'disconnect.db');
    const leadProc = await spawnStdioAgent(dbPath);
    await leadProc.caller.ok('team_start', { name: 'liveness' });
    const procs: StdioAgent[] = [];
    const ids: string[] = [];
    for (const name of ['closer', 'termed']) {
      const spawned = await leadProc.caller.ok('team_spawn', { name, role: 'implementer' });
      const proc = await spawnStdioAgent(dbPath);
      ids.push((await proc.caller.ok('team_join', { ticket: spawned.join_ticket })).agent.id);
      procs.push(proc);
    }
    const [closer, termed] = procs as [StdioAgent, StdioAgent];
    const stateOf = async (agentId: string): Promise<string | undefined> =>
      (await leadProc.caller.ok('team_status')).agents.find((agent) => agent.id === agentId)?.state;
    expect(await stateOf(ids[0]!)).toBe('active');

    await closer.close();
    await closer.exited;
    expect(await stateOf(ids[0]!)).toBe('disconnected');
    expect(closer.logs.find((line) => line['msg'] === 'session ended')).toMatchObject({ reason: 'stdin closed', agent_id: ids[0] });

    process.kill(termed.pid, 'SIGTERM');
    await termed.exited;
    expect(await stateOf(ids[1]!)).toBe('disconnected');
    expect(termed.logs.find((line) => line['msg'] === 'session ended')).toMatchObject({ reason: 'received SIGTERM', agent_id: ids[1] });

    // The lead's own process is unaffected.
    expect((await leadProc.caller.ok('team_status')).active_threads).toBe(0);
    expect(() => process.kill(leadProc.pid, 0)).not.toThrow();
  });

  it('rotates a resume ticket on use: a copy of the used ticket, in another process, binds nothing', async () => {
    const dbPath = join(dir, 'resume-rotation.db');
    const first = await spawnStdioAgent(dbPath, [], { listTools: false });
    const started = await first.caller.ok('team_start', { name: 'rotation' });
    await first.close();
    const restarted = await spawnStdioAgent(dbPath, [], { listTools: false });
    const resumed = await restarted.caller.ok('team_resume', { ticket: started.resume_ticket });
    expect(resumed.agent.id).toBe(started.agent.id);
    expect(resumed.resume_ticket).not.toBe(started.resume_ticket);
    // Whoever copied the first ticket cannot take the lead over now...
    const thief = await spawnStdioAgent(dbPath, [], { listTools: false });
    const refused = await thief.caller.fails('team_resume', { ticket: started.resume_ticket });
    expect(refused.code).toBe('NOT_FOUND');
    expect(await thief.caller.code('team_status')).toBe('NOT_BOUND');
    expect((await restarted.caller.ok('team_status')).me.id).toBe(started.agent.id);
    // ...while the lead's next restart binds with the ticket it was handed.
    await restarted.close();
    const again = await spawnStdioAgent(dbPath, [], { listTools: false });
    expect((await again.caller.ok('team_resume', { ticket: resumed.resume_ticket })).agent.id).toBe(started.agent.id);
  });

  it('finishes the MCP handshake and answers every call with a clear error when its store cannot be opened', async () => {
    // A store path below a regular file: no folder can be made there.
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const agent = await spawnStdioAgent(join(blocker, 'team.db'));
    expect((await agent.caller.client.listTools()).tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    const refused = await agent.caller.fails('team_start', { name: 'never' });
    expect(refused).toMatchObject({ code: 'INTERNAL', details: { store: join(blocker, 'team.db') } });
    expect(refused.message).toContain('could not be opened');
    expect(refused.message).toContain('codex-team doctor');
    // Still serving: a second call gets the same answer, and closing stdin ends the process cleanly.
    expect((await agent.caller.fails('team_status')).code).toBe('INTERNAL');
    expect(agent.logs.some((line) => line['msg'] === 'could not open the store')).toBe(true);
    await agent.close();
    await agent.exited;
  });
});
