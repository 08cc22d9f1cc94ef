import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCodex } from '../testing/codex-exec';
import { builtCliBin } from '../testing/codex-team-env';

// The built `codex-team` binary against the real Codex CLI: what install writes is what
// `codex mcp list` / `codex mcp get` read, and uninstall leaves the user's file as it was.

jest.setTimeout(60_000);

const USER_CONFIG = [
  '# my settings, CRLF on purpose',
  'model = "gpt-6.1-sol" # inline comment',
  '',
  '[mcp_servers.docs]',
  'command = "npx"',
  'args = ["-y", "docs-mcp"]',
].join('\r\n'); // and no trailing newline

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

async function codex(...args: string[]): Promise<{ exitCode: number | null; stdout: string }> {
  const run = await runCodex({ codexHome, homeDir, cwd: root, args, timeoutMs: 30_000 });
  return { exitCode: run.exitCode, stdout: run.stdout };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'codex-team-install-'));
  homeDir = join(root, 'home');
  codexHome = join(homeDir, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), USER_CONFIG);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('codex-team install / uninstall with the real Codex CLI', () => {
  it('registers a server Codex lists, with absolute paths, and uninstall restores the config byte for byte', async () => {
    const installed = cli(['install']); // CODEX_HOME from the environment, store under HOME
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    const dbPath = join(homeDir, '.codex-team', 'team.db');
    expect(installed.stdout).toContain(`store:     ${dbPath}`);
    const afterInstall = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    expect(cli(['install']).status).toBe(0);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(afterInstall);

    const list = await codex('mcp', 'list', '--json');
    expect(list.exitCode).toBe(0);
    const servers = JSON.parse(list.stdout) as { name: string; enabled: boolean; transport: { command: string; args: string[] } }[];
    expect(servers.map((server) => server.name).sort()).toEqual(['docs', 'team']);
    const team = servers.find((server) => server.name === 'team');
    expect(team?.enabled).toBe(true);
    expect(team?.transport.command).toBe(process.execPath);
    const [serverBin, ...flags] = team?.transport.args ?? [];
    expect(serverBin).toMatch(new RegExp(`^${join(homeDir, '.codex-team', 'versions')}/0\\.1\\.0-[0-9a-f]{12}/codex-team-mcp\\.cjs$`));
    expect(existsSync(serverBin ?? '')).toBe(true);
    expect(flags.slice(0, 7)).toEqual(['--db', dbPath, '--profiles-dir', join(homeDir, '.codex-team', 'profiles'), '--name', 'team', '--codex-thread-cap']);
    expect(flags[7]).toBe('3');

    const get = await codex('mcp', 'get', 'team');
    expect(get.exitCode).toBe(0);
    expect(get.stdout).toContain('transport: stdio');
    expect(get.stdout).toContain('default_tools_approval_mode: approve');

    const doctor = cli(['doctor']);
    expect(doctor.stdout).toContain('all checks passed');
    expect(doctor.status).toBe(0);

    const removed = cli(['uninstall']);
    expect(removed.status).toBe(0);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(USER_CONFIG);
    expect(existsSync(join(codexHome, 'skills', 'codex-team'))).toBe(false);
    const after = await codex('mcp', 'get', 'team');
    expect(after.exitCode).not.toBe(0);
    expect((await codex('mcp', 'list')).stdout).not.toMatch(/^team\s/m);
  });

  it('hands a PostgreSQL URL to the server as given, and neither install nor doctor prints its password', () => {
    const url = 'postgres://codex:hunter2-secret@db.invalid:5432/team';
    const installed = cli(['install', '--db', url]);
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain('store:     postgres://codex:***@db.invalid:5432/team');
    const config = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    expect(config).toContain(`"--db", "${url}"`);
    const doctor = cli(['doctor']);
    // doctor reaches for the database (there is none at db.invalid) and says so, password masked.
    expect(doctor.stdout).toMatch(/FAIL +store +FILE_ACCESS: cannot reach the PostgreSQL database postgres:\/\/codex:\*\*\*@db\.invalid:5432\/team: /);
    expect(doctor.stdout + doctor.stderr + installed.stdout + installed.stderr).not.toContain('hunter2');
    expect(existsSync(join(root, 'postgres:'))).toBe(false);
  });

  it('refuses --hooks with a PostgreSQL URL (the hooks read a SQLite file), writing no hook and no password', () => {
    const url = 'postgres://codex:hunter2-secret@db.invalid:5432/team';
    const refused = cli(['install', '--db', url, '--hooks']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('codex-team install: USAGE: --hooks goes without a PostgreSQL --db: the Stop hooks read a SQLite store file, not postgres://codex:***@db.invalid:5432/team\n');
    expect(existsSync(join(codexHome, 'hooks.json'))).toBe(false);
    expect(existsSync(join(codexHome, 'config.toml')) ? readFileSync(join(codexHome, 'config.toml'), 'utf8') : '').not.toContain('hunter2');
  });

  it('refuses, changing nothing, when the user already has [mcp_servers.team]', async () => {
    execFileSync(process.execPath, [require.resolve('@openai/codex/bin/codex.js'), 'mcp', 'add', 'team', '--', 'my-team-server'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir, CODEX_HOME: codexHome },
      stdio: 'ignore',
    });
    const before = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    const refused = cli(['install', '--codex-home', codexHome]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^codex-team install: CONFLICT: .*already has an \[mcp_servers\.team\] entry that codex-team did not write/);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(before);
    expect(existsSync(join(codexHome, 'skills', 'codex-team'))).toBe(false);
    expect((await codex('mcp', 'get', 'team', '--json')).stdout).toContain('my-team-server');
  });

  it('writes --hooks-file into the server entry as an absolute path, and refuses an invalid file writing nothing', async () => {
    writeFileSync(join(root, 'hooks.json'), JSON.stringify({ hooks: { PreTaskComplete: [{ hooks: [{ type: 'command', command: 'exit 0' }] }] } }));
    writeFileSync(join(root, 'bad.json'), JSON.stringify({ hooks: { Stop: [] } }));
    const before = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    const refused = spawnSync(process.execPath, [builtCliBin(), 'install', '--hooks-file', 'bad.json'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir, CODEX_HOME: codexHome },
      cwd: root,
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`codex-team install: INVALID_INPUT: hooks file ${join(root, 'bad.json')} is invalid: hooks.Stop: is not a known key\n`);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(before);

    const installed = spawnSync(process.execPath, [builtCliBin(), 'install', '--hooks-file', 'hooks.json'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir, CODEX_HOME: codexHome },
      cwd: root,
      encoding: 'utf8',
    });
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain(`hooks:     ${join(root, 'hooks.json')} (lifecycle hooks of every team)`);
    const servers = JSON.parse((await codex('mcp', 'list', '--json')).stdout) as { name: string; transport: { args: string[] } }[];
    const args = servers.find((server) => server.name === 'team')?.transport.args ?? [];
    expect(args.slice(args.indexOf('--hooks'), args.indexOf('--hooks') + 2)).toEqual(['--hooks', join(root, 'hooks.json')]);
    // The Codex home goes to the server too: its session rollouts measure each agent's token usage.
    expect(args.slice(args.indexOf('--codex-home'), args.indexOf('--codex-home') + 2)).toEqual(['--codex-home', codexHome]);
    // And a log file of its own name under the codex-team home: Codex keeps no server's stderr.
    expect(args.slice(-2)).toEqual(['--log-file', join(homeDir, '.codex-team', 'logs', 'server-team.log')]);
    expect(installed.stdout).toContain(`logs:      ${join(homeDir, '.codex-team', 'logs', 'server-team.log')}`);
  });

  it('answers an unknown flag with one USAGE line and exit code 2', () => {
    const result = cli(['install', '--frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("codex-team install: USAGE: Unknown option '--frobnicate' (run codex-team install --help)\n");
  });
});
