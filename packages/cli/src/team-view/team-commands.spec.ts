import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TeamId } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { BufferSink, type CliIo } from '../cli-io';
import { runCli } from '../run-cli';
import { SEEDED_SECRET, seedTeam, type SeededTeam } from '../testing/seed-team';
import { layoutDag } from './dag-layout';

let dir: string;
let db: string;
let seeded: SeededTeam;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-cli-view-'));
  db = join(dir, 'team.db');
  seeded = await seedTeam(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(extra: Partial<CliIo> = {}): CliIo & { stdout: BufferSink; stderr: BufferSink } {
  return {
    stdout: new BufferSink(),
    stderr: new BufferSink(),
    env: {},
    homeDir: dir,
    cwd: dir,
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    stdoutIsTerminal: false,
    ...extra,
  } as CliIo & { stdout: BufferSink; stderr: BufferSink };
}

async function run(argv: string[], extra: Partial<CliIo> = {}): Promise<{ code: number; out: string; err: string }> {
  const sinks = io(extra);
  const code = await runCli(argv, sinks);
  return { code, out: sinks.stdout.text(), err: sinks.stderr.text() };
}

describe('codex-team status', () => {
  it('shows agents, progress, budget, early stop and spawn hints of the newest active team', async () => {
    const { code, out, err } = await run(['status', '--db', db]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`team release (${seeded.teamId})  active  profile default`);
    expect(out).toMatch(/ann\s+implementer\s+active\s+-\s+tk_/);
    expect(out).toContain('tasks: done 2/5');
    expect(out).toContain('budget: ok, 49000 of 16000000 tokens');
    expect(out).toContain('ready to finalize: no (2 of 5 tasks are not finished)');
    expect(out).toContain('spawn now: nobody');
  });

  it('shows the team mode: temporary until when and back to what, who set it and why', async () => {
    const other = join(dir, 'mode.db');
    const { teamId } = await seedTeam(other);
    const store = await openSqliteTeamStore({ path: other, clock: { now: () => Date.now() }, ids: { next: () => 'unused' } });
    try {
      const team = (await store.listTeams()).find((candidate) => candidate.id === teamId);
      const lead = { teamId, agentId: team?.lead_agent_id ?? '' };
      await store.setMode(lead, { mode: 'plan', reason: 'redesign the API', ttlMs: 3_600_000 });
    } finally {
      await store.close();
    }
    const { code, out } = await run(['status', '--db', other]);
    expect(code).toBe(0);
    expect(out).toMatch(/^mode plan until \S+Z, then default set by ag_\w+: redesign the API$/m);
  });

  it('prints the same as JSON, and finds a team by name or id', async () => {
    const byName = JSON.parse((await run(['status', 'release', '--db', db, '--json'])).out) as Record<string, unknown>;
    const byId = JSON.parse((await run(['status', seeded.teamId, '--db', db, '--json'])).out) as Record<string, unknown>;
    expect(byName).toEqual(byId);
    expect(byName).toMatchObject({
      team: { id: seeded.teamId, name: 'release' },
      tasks_by_status: { done: 2, failed: 1, in_progress: 1, blocked: 1, ready: 0, cancelled: 0 },
      budget: { state: 'ok', used_tokens: 49_000 },
      ready_to_finalize: { ready: false },
    });
  });

  it('fails with NOT_FOUND for an unknown team or a missing store, without creating one', async () => {
    expect(await run(['status', 'nope', '--db', db])).toMatchObject({ code: 1, err: expect.stringContaining('NOT_FOUND: no team') });
    const missing = join(dir, 'absent.db');
    expect(await run(['status', '--db', missing])).toMatchObject({ code: 1, err: expect.stringContaining(`no store at ${missing}`) });
    expect(existsSync(missing)).toBe(false);
  });
});

describe('codex-team tasks', () => {
  it('lists the DAG, filters by status, and refuses an unknown status', async () => {
    const all = await run(['tasks', '--db', db]);
    for (const title of seeded.titles) expect(all.out).toContain(title);
    const held = JSON.parse((await run(['tasks', '--db', db, '--status', 'in_progress,failed', '--json'])).out) as {
      tasks: { title: string; status: string }[];
    };
    expect(held.tasks.map((t) => [t.title, t.status])).toEqual([
      ['Review the parser', 'failed'],
      ['Build the CLI', 'in_progress'],
    ].sort((a, b) => (seeded.titles.indexOf(a[0] ?? '') - seeded.titles.indexOf(b[0] ?? ''))));
    expect((await run(['tasks', '--db', db, '--status', 'todo'])).code).toBe(1);
  });
});

describe('codex-team replay', () => {
  it('prints the audit trail in order with secrets masked, as text and JSON', async () => {
    const text = await run(['replay', '--db', db]);
    expect(text.out).toContain('team.start');
    expect(text.out).not.toContain(SEEDED_SECRET);
    const events = JSON.parse((await run(['replay', '--db', db, '--json', '--after', '3', '--limit', '5'])).out) as { seq: number }[];
    expect(events.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    const all = (await run(['replay', '--db', db, '--json'])).out;
    expect(all).not.toContain(SEEDED_SECRET);
    expect(all).toContain('[REDACTED:openai-key]');
  });

  it('--verify rebuilds the state from the events and finds it equal to the store', async () => {
    const verified = await run(['replay', '--db', db, '--verify']);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/^replaying \d+ events rebuilds the store's state of team release exactly \(3 agents, 5 tasks, 1 messages, 1 artifacts, 1 usage samples\)/);
    expect(JSON.parse((await run(['replay', '--db', db, '--verify', '--json'])).out)).toMatchObject({ matches: true, differs_in: [] });
  });

  it('--verify catches a store changed behind the audit trail', async () => {
    const tampered = join(dir, 'tampered.db');
    copyFileSync(db, tampered);
    // Another process edits a row without an audit event, as a buggy writer would.
    const script = `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.prepare("UPDATE tasks SET title='tampered' WHERE rowid=1").run();d.close();`;
    execFileSync(process.execPath, ['-e', script, tampered], { cwd: join(__dirname, '../../../store') });
    const verified = await run(['replay', '--db', tampered, '--verify']);
    expect(verified).toMatchObject({ code: 1, out: 'replay DIFFERS from the store in: tasks\nno checkpoint yet: nothing to replay from but the first event\n' });
  });
  it('--verify checks every checkpoint and that replaying the latest one and the later events gives the digest of every event; a changed archived event fails it', async () => {
    const checkpointed = join(dir, 'checkpointed.db');
    copyFileSync(db, checkpointed);
    const store = await openSqliteTeamStore({ path: checkpointed, clock: new FakeClock(), ids: new SequentialIdGenerator() });
    const teamId = seeded.teamId as TeamId;
    const decide = (reason: string) =>
      store.recordDecision(teamId, { actorAgentId: null, action: 'policy.fanout', decision: 'allow', reason, data: { reason } });
    await store.checkpointTeam(teamId, {});
    await decide('between');
    const second = await store.checkpointTeam(teamId, {});
    await decide('after');
    const events = (await store.listAuditEvents(teamId)).length;
    await store.close();
    const verified = await run(['replay', '--db', checkpointed, '--verify']);
    expect(verified.code).toBe(0);
    expect(verified.out.split('\n').slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^replaying checkpoint 2 \\(seq <= ${second?.checkpoint.upto_seq}\\) and the 2 events after it gives the same state digest as replaying all ${events} events \\([0-9a-f]{12}\\)$`)),
      '2 of 2 checkpoints verified (state checksum, archive checksum, state)',
      '',
    ]);
    const json = JSON.parse((await run(['replay', '--db', checkpointed, '--verify', '--json'])).out) as { ok: boolean; checkpoints: { from_checkpoint: { digest: string }; full_digest: string } };
    expect(json.ok).toBe(true);
    expect(json.checkpoints.from_checkpoint.digest).toBe(json.checkpoints.full_digest);

    // Someone removes the guard and rewrites an archived event: the archive checksum catches it.
    const script = `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.exec('DROP TRIGGER audit_events_archived_no_update');d.prepare("UPDATE audit_events SET reason='rewritten' WHERE seq=2").run();d.close();`;
    execFileSync(process.execPath, ['-e', script, checkpointed], { cwd: join(__dirname, '../../../store') });
    const failed = await run(['replay', '--db', checkpointed, '--verify']);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('checkpoint 1 (seq <= ');
    expect(failed.out).toMatch(/checkpoint 1 \(seq <= \d+\) FAILS: archived events changed/);
  });
});

describe('codex-team watch', () => {
  it('draws the given number of frames with agents, DAG progress and recent events', async () => {
    const { code, out } = await run(['watch', '--db', db, '--iterations', '2', '--interval', '100']);
    expect(code).toBe(0);
    expect(out.match(/^codex-team watch /gm)).toHaveLength(2);
    expect(out).toContain('DAG  done 2/5');
    expect(out).toContain('RECENT EVENTS');
    expect(out).toContain('Build the CLI');
    expect(out).not.toContain('\u001b[2J');
  });

  it('redraws in place on a terminal, prints one JSON line per frame, and stops cleanly when interrupted', async () => {
    const tty = await run(['watch', '--db', db, '--once'], { stdoutIsTerminal: true });
    expect(tty.out.startsWith('\u001b[2J\u001b[H')).toBe(true);
    const json = (await run(['watch', '--db', db, '--iterations', '3', '--interval', '100', '--json'])).out.trim().split('\n');
    expect(json).toHaveLength(3);
    expect(JSON.parse(json[0] ?? '{}')).toMatchObject({ team: { name: 'release' }, tasks_by_status: { done: 2 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const stopped = await run(['watch', '--db', db, '--interval', '10000'], { signal: controller.signal });
    expect(stopped.code).toBe(0);
    expect(stopped.out.trimEnd().endsWith('stopped')).toBe(true);
    expect(Date.now() - started).toBeLessThan(9_000);
  });
});

describe('codex-team report', () => {
  it('writes one self-contained page with the DAG, the timeline and the run summary, secrets masked', async () => {
    const out = join(dir, 'report.html');
    const result = await run(['report', 'release', '--db', db, '--html', 'report.html']);
    expect(result).toMatchObject({ code: 0, out: `wrote ${out} (5 tasks, 3 agents)\n` });
    const html = readFileSync(out, 'utf8');
    for (const title of seeded.titles) expect(html).toContain(title);
    expect(html.match(/<g class="task"/g)).toHaveLength(5);
    expect(html).toContain('<rect class="work"');
    expect(html).toContain('Work per agent');
    expect(html).not.toContain(SEEDED_SECRET);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(await run(['report', 'release', '--db', db])).toMatchObject({ code: 1, err: expect.stringContaining('--html FILE is required') });
  });

});

describe('layoutDag', () => {
  it('puts each task one column right of its deepest dependency', () => {
    const task = (id: string, depends_on: string[]) => ({ id, depends_on }) as never;
    const placed = layoutDag([task('a', []), task('b', ['a']), task('c', []), task('d', ['b', 'c'])]);
    expect(placed.map((p) => [(p.task as { id: string }).id, p.layer, p.row])).toEqual([
      ['a', 0, 0],
      ['b', 1, 0],
      ['c', 0, 1],
      ['d', 2, 0],
    ]);
  });
});
