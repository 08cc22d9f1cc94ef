import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCliBin } from '../testing/codex-team-env';
import { seedTeam } from '../testing/seed-team';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-watch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codex-team watch (built binary)', () => {
  it('refreshes until SIGINT, then exits 0 with no error output', async () => {
    const db = join(dir, 'team.db');
    await seedTeam(db);
    const child = spawn(process.execPath, [builtCliBin(), 'watch', '--db', db, '--interval', '200'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    // Two frames prove it refreshes; then interrupt it like Ctrl-C does.
    const deadline = Date.now() + 30_000;
    while ((out.match(/^codex-team watch /gm) ?? []).length < 2) {
      if (Date.now() > deadline) throw new Error(`no second frame; stdout: ${out} stderr: ${err}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(err).toBe('');
    expect(out).toContain('DAG  done 2/5');
    expect(out.trimEnd().endsWith('stopped')).toBe(true);
  });
});
