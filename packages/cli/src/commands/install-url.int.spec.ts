import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCodex } from '../testing/codex-exec';
import { builtCliBin } from '../testing/codex-team-env';

// `codex-team install --url` against the real Codex CLI: the entry it writes is what Codex reads as
// a Streamable HTTP server whose bearer token comes from an environment variable.

jest.setTimeout(60_000);

const USER_CONFIG = 'model = "gpt-6.1-sol"\n';
const URL = 'http://127.0.0.1:7316/mcp';

let root: string;
let homeDir: string;
let codexHome: string;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [builtCliBin(), ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir, CODEX_HOME: codexHome },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'codex-team-install-url-'));
  homeDir = join(root, 'home');
  codexHome = join(homeDir, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), USER_CONFIG);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('codex-team install --url with the real Codex CLI', () => {
  it('registers a Streamable HTTP entry whose token Codex reads from the named variable, and uninstall removes it', async () => {
    const installed = cli(['install', '--url', URL, '--bearer-env', 'TEAM_TOKEN']);
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain(`url:       ${URL}`);
    expect(installed.stdout).toContain('from $TEAM_TOKEN');
    // Codex's cap is read as for a process install, and named for the server, which enforces it.
    expect(installed.stdout).toMatch(/codex cap: \d+ teammates? at once/);
    expect(installed.stdout).toMatch(/codex-team serve --http HOST:PORT --name team --codex-thread-cap \d+/);
    const config = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    expect(config).toContain('bearer_token_env_var = "TEAM_TOKEN"');
    expect(config).not.toMatch(/^command = /m);

    const get = await runCodex({ codexHome, homeDir, cwd: root, args: ['mcp', 'get', 'team', '--json'], timeoutMs: 30_000 });
    expect(get.exitCode).toBe(0);
    const entry = JSON.parse(get.stdout) as { transport: { type: string; url: string; bearer_token_env_var: string }; startup_timeout_sec: number };
    expect(entry.transport).toMatchObject({ type: 'streamable_http', url: URL, bearer_token_env_var: 'TEAM_TOKEN' });
    expect(entry.startup_timeout_sec).toBe(30);

    // Rerunning with the same endpoint writes nothing; uninstall restores the user's file.
    expect(cli(['install', '--url', URL, '--bearer-env', 'TEAM_TOKEN']).stdout).toContain('already registered');
    expect(cli(['uninstall']).status).toBe(0);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(USER_CONFIG);
  });

  it('refuses, writing nothing, --bearer-env without --url, --url with a store or hooks, and a URL that is not http(s)', () => {
    for (const [args, message] of [
      [['--bearer-env', 'TEAM_TOKEN'], '--bearer-env goes with --url'],
      [['--url', URL, '--db', join(root, 'x.db')], '--url registers a running server'],
      [['--url', URL, '--hooks'], '--hooks goes without --url'],
      [['--url', URL, '--hooks-file', 'hooks.json'], 'lifecycle hooks run in it, so give the file to codex-team serve --hooks FILE'],
      [['--url', 'ftp://example.org/mcp'], '--url must be http:// or https://'],
      [['--url', URL, '--bearer-env', 'NOT-A-VAR'], 'is not an environment variable name'],
    ] as const) {
      const refused = cli(['install', ...args]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`^codex-team install: USAGE: .*${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(USER_CONFIG);
    }
  });
});
