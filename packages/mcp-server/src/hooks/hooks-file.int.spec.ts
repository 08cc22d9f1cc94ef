import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnStdioAgent } from '../testing/stdio-process';

// The built codex-team-mcp with --hooks FILE, as Codex starts it: a valid file's hooks gate the
// calls of every team it serves; with a missing or invalid file it still finishes the handshake
// (Codex stops a session whose required server fails to start) and refuses every call.

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

  it('serves a session that refuses every call with an invalid or missing file, naming every problem (gates fail closed)', async () => {
    const bad = join(dir, 'hooks.json');
    writeFileSync(bad, JSON.stringify({ hooks: { PreTaskComplete: [{ hooks: [{ type: 'command', command: 'x', timeout: 9000 }] }], Stop: [] } }));
    const invalid = await spawnStdioAgent(join(dir, 'team.db'), ['--hooks', bad]);
    try {
      const refused = await invalid.caller.fails('team_start', { name: 'ungated' });
      expect(refused.code).toBe('INTERNAL');
      expect(refused.message).toContain(`hooks file ${bad} is invalid:`);
      expect(refused.message).toContain('hooks.PreTaskComplete[0].hooks[0].timeout: must be at most 600 seconds');
      expect(refused.message).toContain('hooks.Stop: is not a known key');
      expect(refused.message).toContain('every team_* call is refused');
    } finally {
      await invalid.close();
    }
    const missing = await spawnStdioAgent(join(dir, 'team.db'), ['--hooks', join(dir, 'nope.json')]);
    try {
      expect((await missing.caller.fails('team_status', {})).message).toContain('cannot be read');
    } finally {
      await missing.close();
    }
  });
});
