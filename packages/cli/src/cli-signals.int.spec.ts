import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCliBin } from './testing/codex-team-env';
import { seedEndedTeam, seedTeam } from './testing/seed-team';

jest.setTimeout(180_000);

let dir: string;
let active: string;
let ended: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-signals-'));
  active = join(dir, 'active.db');
  ended = join(dir, 'ended.db');
  await seedTeam(active);
  await seedEndedTeam(ended);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = (): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(dir, 'home'), TMPDIR: dir });

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Ctrl-C', () => {
  it('during demo: every agent stops, one INTERRUPTED line, exit 130, no process left', async () => {
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    const child = spawn(process.execPath, [builtCliBin(), 'demo', '--db', join(dir, 'demo.db')], { env: ENV(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<Ended>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
    const pgid = child.pid ?? 0;
    // Agents are at work once the live view shows a claim.
    await until(() => /\d+ in progress/.test(stdout) && !/ 0 in progress/.test(stdout.split('\n').at(-2) ?? ''), 'the demo to start working');
    process.kill(-pgid, 'SIGINT');
    const result = await exited;
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(result.stderr).toBe('codex-team demo: INTERRUPTED: stopped by Ctrl-C (SIGINT)\n');
    await until(() => !groupAlive(pgid), 'every demo process to end', 15_000);
  });

  it('during watch: exit 130 with one line, no stack', async () => {
    const child = spawn(process.execPath, [builtCliBin(), 'watch', '--db', active, '--interval', '200'], { env: ENV(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<Ended>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
    await until(() => (stdout.match(/^codex-team watch /gm) ?? []).length >= 2, 'two frames');
    child.kill('SIGINT');
    const result = await exited;
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(result.stderr).toBe('codex-team watch: INTERRUPTED: stopped by Ctrl-C (SIGINT)\n');
    expect(result.stdout).toContain('DAG  done 2/5');
  });
});

describe('a reader that closes the pipe early', () => {
  it('watch --json | head -1: the first frame, then a quiet exit 0', async () => {
    const child = spawn(process.execPath, [builtCliBin(), 'watch', '--db', active, '--json', '--interval', '100'], { env: ENV(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const first = await new Promise<string>((resolve) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const end = buffered.indexOf('\n');
        if (end !== -1) {
          // What `head -1` does: read one line and close its end of the pipe.
          child.stdout.destroy();
          resolve(buffered.slice(0, end));
        }
      });
    });
    expect(JSON.parse(first)).toMatchObject({ team: { name: 'release' } });
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
  });

  it.each([
    ['status', () => ['status', '--db', ended], 0],
    ['tasks', () => ['tasks', '--db', ended], 0],
    ['replay', () => ['replay', '--db', ended, '--json'], 0],
    ['report --json', () => ['report', '--db', ended, '--json'], 0],
    ['watch', () => ['watch', '--db', active, '--interval', '100'], 0],
    // doctor finishes before the broken pipe is noticed: its own verdict (checks failed here) stands.
    ['doctor', () => ['doctor', '--db', ended, '--codex-home', join(dir, 'no-codex')], 1],
    ['--help', () => ['--help'], 0],
    ['--version', () => ['--version'], 0],
  ] as [string, () => string[], number][])('%s into a pipe already closed: no crash, nothing on stderr', (_label, argv, status) => {
    // `true` exits at once without reading: the CLI writes into a pipe with no reader (EPIPE).
    const strict = spawnSync('bash', ['-o', 'pipefail', '-c', '"$0" "$@" | true', process.execPath, builtCliBin(), ...argv()], {
      env: ENV(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: strict.status, stderr: strict.stderr }).toEqual({ status, stderr: '' });
  });
});
