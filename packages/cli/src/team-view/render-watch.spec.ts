import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { runCli } from '../run-cli';
import { bufferedIo, runBuffered } from '../testing/buffered-io';
import { seedCrowdedTeam, seedEndedTeam, seedTeam } from '../testing/seed-team';
import { displayWidth } from './text-width';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-watch-view-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const watch = (argv: string[], size?: { columns: number; rows: number }) =>
  runBuffered(['watch', ...argv], dir, size === undefined ? {} : { stdoutIsTerminal: true, terminalSize: () => size });

describe('codex-team watch on a terminal', () => {
  it('fits 80x24: the header stays on the first line, no line is wider than 80, the frame leaves the last row free', async () => {
    const db = join(dir, 'crowd.db');
    await seedCrowdedTeam(db);
    const { code, out } = await watch(['--once', '--db', db], { columns: 80, rows: 24 });
    expect(code).toBe(0);
    expect(out.startsWith('\u001b[2J\u001b[H')).toBe(true);
    const lines = out.slice('\u001b[2J\u001b[H'.length).replace(/\n$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^codex-team watch {2}\S+Z {2}every 1000 ms, Ctrl-C to stop$/);
    expect(lines[1]).toMatch(/^team crowd \(tm_\w+\) {2}active/);
    expect(lines).toContain('AGENTS');
    expect(lines.some((line) => line.startsWith('DAG  done 0/8'))).toBe(true);
    // Cut lines end with an ellipsis rather than wrap.
    expect(lines.some((line) => line.endsWith('…'))).toBe(true);
  });

  it('uses the whole width and height it is given', async () => {
    const db = join(dir, 'crowd-wide.db');
    await seedCrowdedTeam(db);
    const { out } = await watch(['--once', '--db', db], { columns: 200, rows: 60 });
    const lines = out.slice('\u001b[2J\u001b[H'.length).replace(/\n$/, '').split('\n');
    expect(lines).toContain('RECENT EVENTS');
    expect(lines.filter((line) => line.startsWith('teammate-with-a-long-name-'))).toHaveLength(6);
  });
});

describe('codex-team watch names what it shows and ends with the team', () => {
  it('names tasks and agents in the feed, never their ids', async () => {
    const db = join(dir, 'ended.db');
    await seedEndedTeam(db);
    const { out } = await watch(['--once', '--db', db]);
    const feed = out.slice(out.indexOf('RECENT EVENTS'));
    expect(feed).not.toMatch(/\b(ag|tk|ar)_[a-z0-9]+/);
    expect(feed).toMatch(/task\.claim\s+"Test everything end to end with a long title that must not be cut": claimed with fence 1/);
    // The whole trail names them too: messages by recipient, tasks by title.
    const io = bufferedIo(dir);
    await runCli(['replay', '--db', db], io);
    const what = io.stdout.text().split('\n').map((line) => line.slice(line.indexOf('allow') + 'allow'.length));
    expect(what.join('\n')).not.toMatch(/\b(ag|tk|ar)_[a-z0-9]+/);
    expect(io.stdout.text()).toMatch(/ann +message\.send +allow +message sent to lead$/m);
  });

  it('exits with 0 once the team is finalized with every task done, without waiting for Ctrl-C', async () => {
    const db = join(dir, 'done.db');
    await seedEndedTeam(db);
    const { code, out } = await watch(['--interval', '100', '--db', db]);
    expect(code).toBe(0);
    expect(out.match(/^codex-team watch /gm)).toHaveLength(1);
    expect(out).toMatch(/^codex-team watch {2}\S+ {2}team finalized, exit 0$/m);
  });

  it('exits with 3 once the team is finalized with tasks failed or unfinished', async () => {
    const db = join(dir, 'forced.db');
    const seeded = await seedTeam(db);
    const store = await openSqliteTeamStore({ path: db, clock: new FakeClock(), ids: new SequentialIdGenerator() });
    try {
      const team = (await store.listTeams()).find((candidate) => candidate.id === seeded.teamId);
      await store.finalizeTeam({ teamId: seeded.teamId, agentId: team?.lead_agent_id ?? '' }, { summary: 'stopped early', force: true });
    } finally {
      await store.close();
    }
    const { code, out } = await watch(['--db', db, '--json']);
    expect(code).toBe(3);
    expect(JSON.parse(out.trim())).toMatchObject({ exit_status: 3, team: { state: 'finalized' } });
  });
});
