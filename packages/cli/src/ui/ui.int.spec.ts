import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomIdGenerator } from '@codex-team/contracts';
import { FakeClock } from '@codex-team/contracts/testing';
import { openSqliteTeamStore } from '@codex-team/store';
import { builtCliBin } from '../testing/codex-team-env';
import { HeadlessChromium, SCREENS_DIR } from '../testing/headless-chromium';
import { seedTeam, type SeededTeam } from '../testing/seed-team';

jest.setTimeout(120_000);

let dir: string;
let db: string;
let seeded: SeededTeam;
let ui: ChildProcessWithoutNullStreams;
let url: string;
let stderr = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-ui-'));
  mkdirSync(SCREENS_DIR, { recursive: true });
  db = join(dir, 'team.db');
  seeded = await seedTeam(db);
  ui = spawn(process.execPath, [builtCliBin(), 'ui', '--db', db, '--port', '0'], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
  });
  ui.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    ui.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const found = /codex-team ui: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(out);
      if (found?.[1] !== undefined) resolve(found[1]);
    });
    ui.once('exit', (code) => reject(new Error(`ui exited with ${String(code)}: ${stderr}`)));
  });
});
afterAll(async () => {
  if (ui.exitCode === null) {
    const exited = new Promise((resolve) => ui.once('exit', resolve));
    ui.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** One raw HTTP request, with whatever Host header and method the test wants. */
function raw(method: string, host: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: '/api/teams', method, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Finishes the seeded team as its agents would: the held task done, the rest done, then finalized. */
async function finishTeam(): Promise<void> {
  const clock = new FakeClock(seeded.endedAt + 60_000);
  const store = await openSqliteTeamStore({ path: db, clock, ids: new RandomIdGenerator() });
  try {
    const snapshot = await store.readTeam(seeded.teamId);
    const actor = (name: string) => ({ teamId: seeded.teamId, agentId: snapshot.agents.find((agent) => agent.name === name)?.id ?? '' });
    const held = snapshot.tasks.find((task) => task.status === 'in_progress');
    if (held !== undefined) {
      await store.completeTask(actor('ann'), { task_id: held.id, fence: held.fence, outcome: 'done', result: 'CLI built', artifact_ids: [] });
    }
    await store.finalizeTeam(actor('lead'), { summary: 'released, with the review redone later', force: true });
  } finally {
    await store.close();
  }
}

describe('codex-team ui (built binary, headless chromium)', () => {
  it('listens on loopback only and answers only GET requests addressed to it', async () => {
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(await raw('GET', new URL(url).host)).toBe(200);
    expect(await raw('GET', 'attacker.example:80')).toBe(403);
    expect(await raw('POST', new URL(url).host)).toBe(405);
    expect(await raw('DELETE', new URL(url).host)).toBe(405);
  });

  it('shows a running team, then the same team finished as the store changes, with no console error', async () => {
    const browser = HeadlessChromium.launch();
    try {
      const page = await browser.newPage(1280, 900);
      await page.navigate(url);
      await page.waitFor(`document.body.getAttribute('data-updates') >= '1'`);
      expect(await page.evaluate<string>(`document.body.getAttribute('data-team-state')`)).toBe('active');
      expect(await page.evaluate<number>(`document.querySelectorAll('#dag-svg g.task').length`)).toBe(5);
      expect(await page.evaluate<string>(`document.getElementById('state-line').textContent`)).toMatch(/^active; not ready to finalize/);
      expect(await page.evaluate<string>(`document.getElementById('live-status').getAttribute('data-state')`)).toBe('live');
      const running = join(SCREENS_DIR, 'ui-running.png');
      expect(await page.screenshot(running, { fullPage: false })).toBeGreaterThan(10_000);

      await finishTeam();
      // The page polls: the same sections now show the finished team, without a reload.
      await page.waitFor(`document.body.getAttribute('data-team-state') === 'finalized'`);
      const line = await page.evaluate<string>(`document.getElementById('state-line').textContent`);
      expect(line).toMatch(/^finalized at \S+ with 2 of 5 tasks not done$/);
      expect(await page.evaluate<string>(`document.body.innerText`)).not.toMatch(/ready to finalize/i);
      expect(await page.evaluate<string>(`document.getElementById('live-status').textContent`)).toMatch(/^team finalized, updated /);
      await page.waitFor(`document.getElementById('team-picker').selectedOptions[0].textContent.startsWith('release (finalized')`);
      const finished = join(SCREENS_DIR, 'ui-finished.png');
      expect(await page.screenshot(finished, { fullPage: false })).toBeGreaterThan(10_000);
      expect(readFileSync(running).equals(readFileSync(finished))).toBe(false);
      expect(page.problems).toEqual([]);
    } finally {
      await browser.close();
    }
    expect(stderr).toBe('');
  });

  it('stops on Ctrl-C with exit 130 and one line', async () => {
    const exited = new Promise<number | null>((resolve) => ui.once('exit', (code) => resolve(code)));
    ui.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('codex-team ui: INTERRUPTED: stopped by Ctrl-C (SIGINT)\n');
  });
});
