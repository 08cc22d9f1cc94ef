import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCliBin } from '../testing/codex-team-env';
import { displayWidth } from '../team-view/text-width';
import { seedCrowdedTeam } from '../testing/seed-team';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-watch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codex-team watch (built binary, in a real 80x24 terminal)', () => {
  it('keeps its header on screen and wraps no line', async () => {
    const db = join(dir, 'crowd.db');
    await seedCrowdedTeam(db);
    // util-linux `script` gives the CLI a pseudo-terminal, sized like a default terminal window.
    const command = `stty cols 80 rows 24; exec "${process.execPath}" "${builtCliBin()}" watch --once --db "${db}"`;
    const run = spawnSync('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    const screen = run.stdout.replace(/\r\n/g, '\n');
    expect(screen.startsWith('\u001b[2J\u001b[H')).toBe(true);
    const lines = screen.slice('\u001b[2J\u001b[H'.length).replace(/\n$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect({ line, width: displayWidth(line) <= 80 }).toEqual({ line, width: true });
    expect(lines[0]).toMatch(/^codex-team watch {2}\S+ {2}every 1000 ms, Ctrl-C to stop$/);
    expect(lines[1]).toMatch(/^team crowd /);
  });
});
