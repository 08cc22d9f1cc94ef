import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCliBin } from '../testing/codex-team-env';
import { SEEDED_SECRET, seedTeam } from '../testing/seed-team';

jest.setTimeout(120_000);

/**
 * Headless Debian chromium. Missing chromium is a failure, never a skip: CI installs it
 * (.ci/run), and a developer machine gets `apt-get install -y chromium`.
 */
function chromiumPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error('chromium is not installed: run `apt-get install -y chromium` (CI does it in .ci/run)');
  }
  return path;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codex-team report (built binary, headless chromium)', () => {
  it('writes a page that renders in chromium and shows every task, its DAG and the timelines', () => {
    const chromium = chromiumPath();
    const db = join(dir, 'team.db');
    const html = join(dir, 'report.html');
    return seedTeam(db).then((seeded) => {
      const wrote = execFileSync(process.execPath, [builtCliBin(), 'report', seeded.teamName, '--db', db, '--html', html], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
        encoding: 'utf8',
      });
      expect(wrote).toBe(`wrote ${html} (5 tasks, 3 agents)\n`);
      const dom = execFileSync(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--user-data-dir=${join(dir, 'chromium-profile')}`,
          '--dump-dom',
          `file://${html}`,
        ],
        { encoding: 'utf8', timeout: 90_000, maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      // The inline script ran in the browser, counted what was drawn and measured the DAG's layout.
      expect(dom).toMatch(/<body data-rendered="yes" data-task-nodes="5" data-work-bars="\d+" data-dag-width="\d+"/);
      const bars = Number(/data-work-bars="(\d+)"/.exec(dom)?.[1]);
      const width = Number(/data-dag-width="(\d+)"/.exec(dom)?.[1]);
      expect(bars).toBe(4);
      expect(width).toBeGreaterThan(400);
      expect(dom).toContain('rendered 5 task nodes and 4 work bars');
      for (const title of seeded.titles) expect(dom).toContain(title);
      expect(dom).toContain('Work per agent');
      expect(dom).not.toContain(SEEDED_SECRET);
    });
  });
});
