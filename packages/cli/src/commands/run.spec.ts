import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSink, type CliIo } from '../cli-io';
import { runCli } from '../run-cli';

describe('codex-team run: bad input', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'run-input-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
    const io: CliIo = {
      stdout: new BufferSink(),
      stderr: new BufferSink(),
      env: { CODEX_TEAM_HOME: join(dir, 'home') },
      homeDir: dir,
      cwd: dir,
      execPath: process.execPath,
      nodeVersion: process.versions.node,
      stdoutIsTerminal: false,
    };
    const code = await runCli(['run', ...args, '--db', join(dir, 'team.db'), '--codex-home', join(dir, 'codex')], io);
    return { code, stderr: (io.stderr as BufferSink).text(), stdout: (io.stdout as BufferSink).text() };
  }

  // A wrong command line is USAGE (exit 2), a refusal of what it names its code (exit 1): docs/operator.md.
  it.each([
    [[], 2, /^codex-team run: USAGE: give the OBJECTIVE in quotes, or --resume TEAM\n$/],
    [['Ship it', '--resume', 'tm_x'], 2, /^codex-team run: USAGE: --resume takes the team as it is/],
    [['Ship it', '--max-workers', '0'], 2, /^codex-team run: USAGE: --max-workers must be a whole number of at least 1, got "0"\n$/],
    [['Ship it', '--teammates', '99'], 2, /^codex-team run: USAGE: --teammates must be a whole number from 1 to 6, got "99"\n$/],
    [['Ship it', '--teammates', 'three'], 2, /^codex-team run: USAGE: --teammates must be a whole number from 1 to 6, got "three"\n$/],
    [['Ship it', '--dag', 'missing.yaml'], 1, /^codex-team run: NOT_FOUND: cannot read the DAG file/],
    [['Ship it', '--repo', 'missing'], 2, /^codex-team run: USAGE: --repo must be a directory, got ".*missing"\n$/],
    [['Ship it', '--repo', '.', '--worktrees'], 1, /^codex-team run: INVALID_INPUT: --worktrees needs a git repository: .* is not one/],
  ])('answers %j with exit %d, one line and a stable code, creating nothing', async (args, exit, message) => {
    const result = await run(args);
    expect(result.code).toBe(exit);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'team.db'))).toBe(false);
  });

  it('refuses a DAG file the contract refuses before anything is created', async () => {
    writeFileSync(join(dir, 'dag.yaml'), 'tasks:\n  - {key: a, title: A, depends_on: [b]}\n');
    const result = await run(['Ship it', '--dag', 'dag.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^codex-team run: INVALID_INPUT: the DAG file .*dag\.yaml: task "A" depends on "b"/);
    expect(existsSync(join(dir, 'team.db'))).toBe(false);
  });
});
