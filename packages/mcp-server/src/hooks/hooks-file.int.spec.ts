import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_PATH, spawnStdioAgent } from '../testing/stdio-process';

// The built codex-team-mcp with --hooks FILE, as Codex starts it: a valid file's hooks gate the
// calls of every team it serves; a missing or invalid file stops it before it serves anything.

jest.setTimeout(60_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-hooks-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('codex-team-mcp --hooks FILE', () => {
  it("runs the file's hooks, relative commands from the file's directory", async () => {
    writeFileSync(join(dir, 'no-broadcasts.sh'), 'echo "broadcasts are off in this repo; message one agent" >&2\nexit 2\n', { mode: 0o755 });
    const file = join(dir, 'hooks.yaml');
    writeFileSync(file, 'hooks:\n  PreMessageSend:\n    - hooks:\n        - { type: command, command: ./no-broadcasts.sh, name: broadcasts }\n');
    const lead = await spawnStdioAgent(join(dir, 'team.db'), ['--hooks', file]);
    try {
      await lead.caller.ok('team_start', { name: 'gated' });
      const refused = await lead.caller.fails('team_send', { to: '*', body: 'hello all' });
      expect(refused).toMatchObject({
        code: 'HOOK_BLOCKED',
        message: 'PreMessageSend blocked: hooks-file:broadcasts: broadcasts are off in this repo; message one agent',
      });
    } finally {
      await lead.close();
    }
  });

  it('refuses to start with an invalid or missing file, naming every problem', () => {
    const bad = join(dir, 'hooks.json');
    writeFileSync(bad, JSON.stringify({ hooks: { PreTaskComplete: [{ hooks: [{ type: 'command', command: 'x', timeout: 9000 }] }], Stop: [] } }));
    const invalid = spawnSync(process.execPath, [BIN_PATH, '--db', join(dir, 'team.db'), '--hooks', bad], { encoding: 'utf8', input: '' });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain(`codex-team-mcp: INVALID_INPUT: hooks file ${bad} is invalid:`);
    expect(invalid.stderr).toContain('hooks.PreTaskComplete[0].hooks[0].timeout: must be at most 600 seconds');
    expect(invalid.stderr).toContain('hooks.Stop: is not a known key');
    const missing = spawnSync(process.execPath, [BIN_PATH, '--db', join(dir, 'team.db'), '--hooks', join(dir, 'nope.json')], { encoding: 'utf8', input: '' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot be read');
  });
});
