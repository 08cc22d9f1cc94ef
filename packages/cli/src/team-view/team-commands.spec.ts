import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TeamId } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { runBuffered } from '../testing/buffered-io';
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

const run = (argv: string[], extra: Partial<CliIo> = {}) => runBuffered(argv, dir, extra);

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

describe('orphaned teams and the team of this folder', () => {
  it("calls an active team whose lead's session ended past the grace period orphaned, everywhere, and advises no spawn", async () => {
    const other = join(dir, 'orphaned.db');
    const { teamId } = await seedTeam(other, 'left');
    const store = await openSqliteTeamStore({ path: other, clock: { now: () => Date.parse('2026-01-01T01:00:00Z') }, ids: { next: () => 'unused' } });
    try {
      const team = (await store.listTeams()).find((candidate) => candidate.id === teamId);
      await store.disconnectAgent({ teamId, agentId: team?.lead_agent_id ?? '', epoch: 1 }, 'Ctrl-C');
    } finally {
      await store.close();
    }
    const status = await run(['status', '--db', other]);
    expect(status.out).toContain(`team left (${teamId})  orphaned  profile default`);
    expect(status.out).toContain('its lead is lost: nobody leads this team');
    expect(status.out).not.toContain('spawn now');
    expect(JSON.parse((await run(['status', '--db', other, '--json'])).out)).toMatchObject({ condition: 'orphaned', hints: null });
    expect(JSON.parse((await run(['teams', '--db', other, '--json'])).out)).toMatchObject({ teams: [{ id: teamId, state: 'orphaned', lead: { state: 'disconnected' } }] });
    expect((await run(['watch', '--once', '--db', other])).out).toContain(`team left (${teamId})  orphaned`);
    expect(JSON.parse((await run(['report', '--json', '--db', other])).out)).toMatchObject({ state_line: expect.stringMatching(/^orphaned: active, but its lead is lost/) });
    // The seeded team's lead is connected: active.
    expect(JSON.parse((await run(['status', '--db', db, '--json'])).out)).toMatchObject({ condition: 'active' });
  });

  it('status without TEAM prefers the newest active team started from this folder, then from its repository', async () => {
    const other = join(dir, 'here.db');
    const store = await openSqliteTeamStore({ path: other, clock: { now: () => Date.now() }, ids: new SequentialIdGenerator() });
    try {
      const start = (name: string, cwd: string | null, repo: string | null) =>
        store.createTeam({ name, objective: '', leadName: 'lead', resumeTicketHash: `r-${name}`, cwd, repo });
      await start('here', dir, null);
      await start('elsewhere', '/somewhere/else', null);
    } finally {
      await store.close();
    }
    expect((await run(['status', '--db', other])).out).toMatch(/^team here /);
    expect((await runBuffered(['status', '--db', other], tmpdir())).out).toMatch(/^team elsewhere /);
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
    expect(await run(['tasks', '--db', db, '--status', 'todo'])).toMatchObject({
      code: 2,
      err: 'codex-team tasks: USAGE: --status "todo" is not one of blocked, ready, in_progress, done, failed, cancelled\n',
    });
  });

  it('masks a secret the store holds in every view it prints, text and JSON', async () => {
    for (const args of [['tasks'], ['tasks', '--json'], ['status'], ['status', '--json']]) {
      const printed = await run([...args, '--db', db]);
      expect(printed.code).toBe(0);
      expect(printed.out).not.toContain(SEEDED_SECRET);
    }
    expect((await run(['tasks', '--db', db, '--json'])).out).toContain('[REDACTED:openai-key]');
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

  it('redraws in place on a terminal, prints one JSON line per frame, and stops with 130 when interrupted', async () => {
    const tty = await run(['watch', '--db', db, '--once'], { stdoutIsTerminal: true });
    expect(tty.out.startsWith('\u001b[2J\u001b[H')).toBe(true);
    const json = (await run(['watch', '--db', db, '--iterations', '3', '--interval', '100', '--json'])).out.trim().split('\n');
    expect(json).toHaveLength(3);
    expect(JSON.parse(json[0] ?? '{}')).toMatchObject({ team: { name: 'release' }, tasks_by_status: { done: 2 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const stopped = await run(['watch', '--db', db, '--interval', '10000'], { signal: controller.signal });
    expect(stopped.code).toBe(130);
    expect(stopped.err).toBe('codex-team watch: INTERRUPTED: stopped by Ctrl-C (SIGINT)\n');
    expect(stopped.out.match(/^codex-team watch /gm)).toHaveLength(1);
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
    expect(html).not.toContain('<script');
    expect(await run(['report', 'release', '--db', db])).toMatchObject({
      code: 2,
      err: 'codex-team report: USAGE: give --html FILE to write the page, or --json to print the report\n',
    });
  });
});

describe('a team of a tree', () => {
  let treeDb: string;
  let ids: { root: string; child: string; grandchild: string };

  beforeAll(async () => {
    treeDb = join(dir, 'tree.db');
    const { teamId } = await seedTeam(treeDb, 'tree');
    const store = await openSqliteTeamStore({ path: treeDb, clock: { now: () => Date.now() }, ids: { next: (prefix) => `${prefix}_${Math.random().toString(36).slice(2, 12).replace(/[^a-z]/g, 'a').padEnd(10, 'a')}` } });
    try {
      const team = (await store.listTeams()).find((candidate) => candidate.id === teamId);
      const lead = { teamId, agentId: team?.lead_agent_id ?? '' };
      const [first, second] = (await store.createTasks(lead, { tasks: [1, 2].map((n) => ({ title: `part ${n}`, description: '', priority: 0, depends_on: [] })) })).tasks;
      const child = await store.startChild(lead, { tasks: [first?.id ?? ''], tokens: 5_000 });
      const grandchild = await store.startChild({ teamId: child.team.id, agentId: child.lead.id }, { tasks: child.task_ids, tokens: 1_000 });
      await store.startChild(lead, { tasks: [second?.id ?? ''], tokens: 2_000 });
      ids = { root: teamId, child: child.team.id, grandchild: grandchild.team.id };
    } finally {
      await store.close();
    }
  });

  it('shows the whole tree in status, one line per team under its parent, its own team marked', async () => {
    const { code, out } = await run(['status', ids.child, '--db', treeDb]);
    expect(code).toBe(0);
    const tree = out.slice(out.indexOf('team tree:')).split('\n').slice(1, 5);
    expect(tree).toEqual([
      expect.stringMatching(new RegExp(`^  ${ids.root} tree: `)),
      expect.stringMatching(new RegExp(`^    ${ids.child} tree\\.1: .*budget 0/5000 tokens.*<- this team$`)),
      expect.stringMatching(new RegExp(`^      ${ids.grandchild} tree\\.1\\.1: `)),
      expect.stringMatching(/^ {4}\S+ tree\.2: /),
    ]);
    // The child's budget is its carve, with its own child's carve set aside.
    expect(out).toContain('budget: ok, 1000 of 5000 tokens');
    const json = JSON.parse((await run(['status', ids.root, '--db', treeDb, '--json'])).out) as { tree: string[]; budget: { used_tokens: number } };
    expect(json.tree).toHaveLength(4);
    expect(json.budget.used_tokens).toBe(49_000 + 5_000 + 2_000);
    // A team without a tree shows none.
    expect((await run(['status', 'release', '--db', db])).out).not.toContain('team tree:');
  });

  it("caps a child's spawn hints by what the tree leaves it, like its lead's team_status", async () => {
    // The root (max_threads 4) holds ann and rev; a child takes two ready tasks; the root then
    // fills the tree. The child's own max_threads would still allow spawns; the tree does not.
    const full = join(dir, 'full-tree.db');
    const { teamId } = await seedTeam(full, 'full');
    const store = await openSqliteTeamStore({ path: full, clock: { now: () => Date.now() }, ids: { next: (prefix) => `${prefix}_${Math.random().toString(36).slice(2, 12).replace(/[^a-z]/g, 'a').padEnd(10, 'a')}` } });
    let child: { teamId: string; agentId: string };
    try {
      const team = (await store.listTeams()).find((candidate) => candidate.id === teamId);
      const lead = { teamId, agentId: team?.lead_agent_id ?? '' };
      const parts = await store.createTasks(lead, { tasks: [1, 2].map((n) => ({ title: `part ${n}`, description: '', priority: 0, depends_on: [], required_role: 'implementer' })) });
      const started = await store.startChild(lead, { tasks: parts.tasks.map((task) => task.id), tokens: 5_000 });
      child = { teamId: started.team.id, agentId: started.lead.id };
      const before = JSON.parse((await run(['status', child.teamId, '--db', full, '--json'])).out) as { hints: { spawn: unknown[] } };
      expect(before.hints.spawn.length).toBeGreaterThan(0);
      await store.spawnAgent(lead, { name: 'cat', role: 'implementer', joinTicketHash: 'j-full-cat' });
      await store.spawnAgent(lead, { name: 'dan', role: 'implementer', joinTicketHash: 'j-full-dan' });
      // The tree is full: the store refuses the child's spawn...
      await expect(store.spawnAgent(child, { name: 'eve', role: 'implementer', joinTicketHash: 'j-full-eve' })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    } finally {
      await store.close();
    }
    // ...and the operator's hints for the child recommend nobody, saying why.
    const { code, out } = await run(['status', child.teamId, '--db', full, '--json']);
    expect(code).toBe(0);
    const status = JSON.parse(out) as { hints: { spawn: unknown[]; cap: { reason: string } } };
    expect(status.hints.spawn).toEqual([]);
    expect(JSON.stringify(status.hints)).toContain("the tree's cap");
  });

  it('shows it in watch, replay and the HTML report too', async () => {
    const frame = JSON.parse((await run(['watch', ids.grandchild, '--db', treeDb, '--once', '--json'])).out) as { tree: string[] };
    expect(frame.tree.find((line) => line.includes(ids.grandchild))).toContain('<- this team');
    expect((await run(['watch', ids.root, '--db', treeDb, '--once'])).out).toContain('TREE');
    const replay = await run(['replay', ids.root, '--db', treeDb]);
    expect(replay.out).toMatch(/^team tree:\n/);
    expect(replay.out).toContain('team.delegate');
    expect(await run(['replay', ids.child, '--db', treeDb, '--verify'])).toMatchObject({ code: 0 });
    const result = await run(['report', ids.child, '--db', treeDb, '--html', 'tree.html']);
    expect(result.code).toBe(0);
    const html = readFileSync(join(dir, 'tree.html'), 'utf8');
    expect(html).toContain('<h2>Team tree</h2>');
    expect(html).toContain(`${ids.grandchild} tree.1.1`);
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
