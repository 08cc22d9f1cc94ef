import { spawn, fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEvent } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { checkDatabaseIntegrity, digestDatabase } from '@codex-team/store/testing';
import { builtCliBin } from '../testing/codex-team-env';

// `codex-team recover` run by three processes at once on one store: every recovery step happens
// once, and the lead gets one notice. A naive sweep (read, then act without comparing) run the
// same way is caught by the same check.

jest.setTimeout(60_000);

// The store's deliberately broken writers: a file run in a child process, found by the workspace layout.
const BROKEN_WRITERS = join(__dirname, '..', '..', '..', 'store', 'src', 'fixtures', 'broken-writers.cjs');
const TEN_MINUTES = 10 * 60 * 1000;

interface Seeded {
  dbPath: string;
  teamId: string;
  /** The subjects recovery must act on, each exactly once. */
  expected: string[];
}

/** A team whose work stopped ten minutes ago: two claims long expired, two silent teammates, an unused invitation. */
async function seed(dir: string, name: string): Promise<Seeded> {
  const dbPath = join(dir, `${name}.db`);
  const clock = new FakeClock(Date.now() - TEN_MINUTES);
  const store = await openSqliteTeamStore({ path: dbPath, clock, ids: new SequentialIdGenerator() });
  const bound = await store.createTeam({ name, objective: '', maxThreads: 3, profile: 'default', leadName: 'lead', resumeTicketHash: `r-${name}` });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  const members: string[] = [];
  for (const mate of ['ann', 'bob']) {
    await store.spawnAgent(lead, { name: mate, role: 'implementer', joinTicketHash: `j-${mate}` });
    members.push((await store.joinAgent({ joinTicketHash: `j-${mate}`, resumeTicketHash: `r-${mate}` })).agent.id);
  }
  const carl = await store.spawnAgent(lead, { name: 'carl', role: 'tester', joinTicketHash: 'j-carl' });
  await store.createTasks(lead, {
    tasks: ['a', 'b', 'c'].map((title) => ({ title, description: '', priority: 0, depends_on: [] })),
  });
  const claimed: string[] = [];
  for (const [i, agentId] of members.entries()) {
    const claim = await store.claimNextTask({ teamId: lead.teamId, agentId }, { leaseMs: 60_000 });
    claimed.push(claim.claim?.task.id ?? `none-${i}`);
  }
  clock.advance(1_000);
  await store.close();
  return { dbPath, teamId: bound.team.id, expected: [...members, carl.id, ...claimed].sort() };
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCliBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function events(dbPath: string, teamId: string): Promise<AuditEvent[]> {
  const store = await openSqliteTeamStore({ path: dbPath, clock: new FakeClock(), ids: new SequentialIdGenerator() });
  try {
    return await store.listAuditEvents(teamId, { limit: 10_000 });
  } finally {
    await store.close();
  }
}

/** The check both variants go through: each recovery subject acted on once, one notice. */
function recoveryTally(trail: readonly AuditEvent[]): { subjects: string[]; notices: number } {
  const subjects = trail
    .filter((e) => e.action === 'task.recover' || e.action === 'agent.lost')
    .map((e) => e.subject_id ?? '')
    .sort();
  // The sweep also rebalances; its notices are counted apart (once per recorded change).
  const notices = trail.filter((e) => e.action === 'message.send' && e.actor_agent_id === null && !e.reason.startsWith('rebalancing notice')).length;
  return { subjects, notices };
}

/** Rebalancing notices the lead got, and the recorded decisions that announced a change. */
function rebalancingTally(trail: readonly AuditEvent[]): { notices: number; announced: number } {
  return {
    notices: trail.filter((e) => e.action === 'message.send' && e.reason.startsWith('rebalancing notice')).length,
    announced: trail.filter((e) => e.action === 'rebalance.decide' && e.data['notified'] === true).length,
  };
}

describe('codex-team recover in several processes at once', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(builtCliBin())) throw new Error(`build the cli first: ${builtCliBin()} is missing`);
    dir = mkdtempSync(join(tmpdir(), 'codex-team-recover-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every step once and notifies the lead once; running it again changes nothing', async () => {
    const seeded = await seed(dir, 'alpha');
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['recover', '--db', seeded.dbPath, '--json'])));
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    const reports = runs.map((run) => JSON.parse(run.stdout) as { applied: { subject_id: string; rule: string }[] });
    const applied = reports.flatMap((report) => report.applied.map((step) => step.subject_id)).sort();
    expect(applied).toEqual(seeded.expected);
    const trail = await events(seeded.dbPath, seeded.teamId);
    expect(recoveryTally(trail)).toEqual({ subjects: seeded.expected, notices: 1 });
    const rebalanced = rebalancingTally(trail);
    expect(rebalanced.notices).toBeGreaterThanOrEqual(1);
    expect(rebalanced.notices).toBe(rebalanced.announced);
    process.stderr.write(`recover x3: actions per process ${JSON.stringify(reports.map((r) => r.applied.length))}\n`);

    const before = digestDatabase(seeded.dbPath);
    const again = await runCli(['recover', '--db', seeded.dbPath, '--team', seeded.teamId]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing to recover/) });
    expect(digestDatabase(seeded.dbPath)).toEqual(before);
    expect(checkDatabaseIntegrity(seeded.dbPath)).toBe('ok');
  });

  it('catches a naive sweep that acts on what it read without comparing (broken variant)', async () => {
    const seeded = await seed(dir, 'naive');
    const workers = [1, 2, 3].map(() => fork(BROKEN_WRITERS, ['naive-sweep', seeded.dbPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    // Every sweep has read before any acts: the interleaving two real processes can produce.
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
    for (const worker of workers) worker.send('go');
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
    const tally = recoveryTally(await events(seeded.dbPath, seeded.teamId));
    process.stderr.write(`naive sweep x3: ${tally.subjects.length} recovery events, ${tally.notices} notices\n`);
    expect(tally).not.toEqual({ subjects: seeded.expected, notices: 1 });
    expect(tally.notices).toBeGreaterThan(1);
  });
});
