import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSink, type CliIo } from './cli-io';
import { runCli } from './run-cli';
import { nonSnakeKeys } from './testing/json-keys';
import { seedEndedTeam } from './testing/seed-team';

let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-json-'));
  db = join(dir, 'team.db');
  await seedEndedTeam(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSON output', () => {
  it.each([
    ['status', ['status']],
    ['tasks', ['tasks']],
    ['watch', ['watch', '--once']],
    ['replay', ['replay']],
    ['replay --verify', ['replay', '--verify']],
    ['replay --decisions', ['replay', '--decisions']],
    ['report', ['report']],
    ['recover', ['recover']],
    ['doctor', ['doctor', '--codex-home', '/nonexistent/codex-home']],
  ])('%s --json has snake_case keys only', async (_label, argv) => {
    const io: CliIo & { stdout: BufferSink; stderr: BufferSink } = {
      stdout: new BufferSink(),
      stderr: new BufferSink(),
      env: {},
      homeDir: dir,
      cwd: dir,
      execPath: process.execPath,
      nodeVersion: process.versions.node,
      stdoutIsTerminal: false,
    };
    await runCli([...argv, '--db', db, '--json'], io);
    expect(io.stderr.text()).toBe('');
    expect(nonSnakeKeys(JSON.parse(io.stdout.text()))).toEqual([]);
  });
});
