import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { CURRENT_SCHEMA_VERSION, openSqliteTeamStore } from '@codex-team/store';
import { packageRoot } from '../codex/package-assets';
import { runBuffered } from '../testing/buffered-io';

// `codex-team hook <event>` as Codex runs it: JSON on stdin, a block on stdout or nothing, exit 0,
// and a log line saying what was decided or why it failed open.

let dir: string;
let dbPath: string;
let logPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-hook-'));
  dbPath = join(dir, 'team.db');
  logPath = join(dir, 'hooks.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function hook(event: string, input: unknown): Promise<{ code: number; stdout: string; log: Record<string, unknown> }> {
  const { code, out } = await runBuffered(['hook', event, '--db', dbPath, '--log', logPath, '--name', 'team'], dir, {
    readStdin: () => Promise.resolve(typeof input === 'string' ? input : JSON.stringify(input)),
  });
  const lines = readFileSync(logPath, 'utf8').trim().split('\n');
  return { code, stdout: out, log: JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown> };
}

/** A team whose lead runs in Codex thread `root` and teammate ann in thread `ann-thread`, ann holding a claim. */
async function teamWithClaim(): Promise<{ taskId: string; annId: string }> {
  const store = await openSqliteTeamStore({ path: dbPath, clock: { now: () => Date.now() }, ids: new SequentialIdGenerator() });
  try {
    const lead = await store.createTeam({ name: 'crew', objective: '', maxThreads: 3, profile: 'default', leadName: 'lead', resumeTicketHash: 'r1', codexThreadId: 'root' });
    const actor = { teamId: lead.team.id, agentId: lead.agent.id };
    await store.spawnAgent(actor, { name: 'ann', role: 'worker', joinTicketHash: 'j1' });
    const ann = await store.joinAgent({ joinTicketHash: 'j1', resumeTicketHash: 'r2', codexThreadId: 'ann-thread' });
    const created = await store.createTasks(actor, { tasks: [{ title: 'Write the report', description: '', priority: 0, depends_on: [], required_role: 'worker' }] });
    const taskId = created.tasks[0]?.id ?? '';
    await store.claimTask({ teamId: lead.team.id, agentId: ann.agent.id }, { task_id: taskId }, { leaseMs: 60_000 });
    return { taskId, annId: ann.agent.id };
  } finally {
    await store.close();
  }
}

/**
 * Another program holding an exclusive lock on the store until killed: Python's sqlite3 (python3
 * is already needed to build the native SQLite module), a writer codex-team does not control.
 */
function lockStore(path: string): Promise<ChildProcess> {
  const script = [
    'import sqlite3, sys, time',
    'db = sqlite3.connect(sys.argv[1], isolation_level=None)',
    "db.execute('BEGIN EXCLUSIVE')",
    "print('locked', flush=True)",
    'time.sleep(120)',
  ].join('\n');
  const child = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the lock holder exited with ${String(code)}`)));
  });
}

const subagentStop = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  session_id: 'root',
  agent_id: 'ann-thread',
  hook_event_name: 'SubagentStop',
  stop_hook_active: false,
  ...overrides,
});

describe('codex-team hook', () => {
  it('keeps a teammate holding a live claim working, naming the task, and logs the decision', async () => {
    const { taskId, annId } = await teamWithClaim();
    const answer = await hook('subagent-stop', subagentStop());
    expect(answer.code).toBe(0);
    const output = JSON.parse(answer.stdout) as { decision: string; reason: string };
    expect(output.decision).toBe('block');
    expect(output.reason).toContain(`"Write the report" (task_id ${taskId}, fence 1)`);
    expect(answer.log).toMatchObject({ event: 'SubagentStop', codex_thread: 'ann-thread', agent_id: annId, decision: 'block', rule: 'stop.live_claim' });
  });

  it('lets it go when Codex is already continuing because of a stop hook', async () => {
    await teamWithClaim();
    const answer = await hook('subagent-stop', subagentStop({ stop_hook_active: true }));
    expect(answer.stdout).toBe('');
    expect(answer.log).toMatchObject({ decision: 'allow', rule: 'stop.hook_active' });
  });

  it('finds the lead by the root session id in a Stop event', async () => {
    await teamWithClaim();
    const answer = await hook('stop', { session_id: 'root', hook_event_name: 'Stop', stop_hook_active: false });
    expect(JSON.parse(answer.stdout)).toMatchObject({ decision: 'block' });
    expect(answer.log).toMatchObject({ rule: 'stop.team_working' });
  });

  it.each([
    ['a Codex session that runs no team', () => teamWithClaim(), subagentStop({ agent_id: 'another-thread' }), 'no codex-team agent is bound to this Codex thread'],
    ['no store yet', () => Promise.resolve(), subagentStop(), 'no store yet'],
    ['input that is not Codex hook JSON', () => teamWithClaim(), 'not json', 'unreadable hook input'],
    ['input without a session', () => teamWithClaim(), { hook_event_name: 'Stop' }, 'unreadable hook input'],
  ])('fails open, saying why: %s', async (_label, setup, input, reason) => {
    await setup();
    const answer = await hook('subagent-stop', input);
    expect(answer).toMatchObject({ code: 0, stdout: '' });
    expect(answer.log).toMatchObject({ decision: 'allow', rule: 'hook.fail_open' });
    expect(String(answer.log['reason'])).toContain(reason);
  });

  it('fails open on a PostgreSQL store (the hooks read files only), exits 0 rather than 2 (a block to Codex), and logs the URL masked', async () => {
    dbPath = 'postgres://codex:hunter2-secret@127.0.0.1:1/team';
    const answer = await hook('subagent-stop', subagentStop());
    expect(answer).toMatchObject({ code: 0, stdout: '' });
    expect(answer.log).toMatchObject({ decision: 'allow', rule: 'hook.fail_open', db: 'postgres://codex:***@127.0.0.1:1/team', reason: 'the hooks read SQLite store files only, not a PostgreSQL store' });
    expect(readFileSync(logPath, 'utf8')).not.toContain('hunter2');
  });

  it('fails open when another process holds the store locked', async () => {
    await teamWithClaim();
    const holder = await lockStore(dbPath);
    try {
      const answer = await hook('subagent-stop', subagentStop());
      expect(answer).toMatchObject({ code: 0, stdout: '' });
      expect(answer.log).toMatchObject({ decision: 'allow', rule: 'hook.fail_open' });
      expect(String(answer.log['reason'])).toMatch(/^(store unavailable|store read failed|no answer within)/);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    // The lock gone, the same call blocks again: the refusal above was the lock, not the team.
    expect(JSON.parse((await hook('subagent-stop', subagentStop())).stdout)).toMatchObject({ decision: 'block' });
  });

  it('fails open on a store written by a newer codex-team', async () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    const shipped = join(packageRoot(dirname(require.resolve('@codex-team/store')), '@codex-team/store'), 'migrations');
    for (const file of readdirSync(shipped)) copyFileSync(join(shipped, file), join(migrations, file));
    writeFileSync(join(migrations, `${String(CURRENT_SCHEMA_VERSION + 1).padStart(4, '0')}_future.sql`), 'CREATE TABLE future (id INTEGER PRIMARY KEY) STRICT;\n');
    const store = await openSqliteTeamStore({ path: dbPath, clock: { now: () => 0 }, ids: new SequentialIdGenerator(), migrationsDir: migrations });
    await store.close();
    const answer = await hook('stop', { session_id: 'root' });
    expect(answer.stdout).toBe('');
    expect(String(answer.log['reason'])).toMatch(/^store unavailable: SCHEMA_MISMATCH/);
  });

  it('answers a command line without one known event as a usage error', async () => {
    const { code, err } = await runBuffered(['hook', 'start'], dir);
    expect(code).toBe(2);
    expect(err).toBe('codex-team hook: USAGE: give one event: stop or subagent-stop\n');
  });
});
