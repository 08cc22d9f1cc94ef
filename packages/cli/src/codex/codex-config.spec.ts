import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installServerEntry, readServerEntry, uninstallServerEntry } from './codex-config';
import type { McpServerEntry } from './config-block';

const entry: McpServerEntry = {
  command: '/usr/bin/node',
  args: ['/srv/codex-team/packages/mcp-server/dist/bin.js', '--db', '/home/me/.codex-team/team.db'],
  startupTimeoutSec: 30,
  toolTimeoutSec: 120,
};

const USER_CONFIG = `# my Codex settings
model = "gpt-6.1-sol"   # the default model
approval_policy = "on-request"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]  # keep this comment

# trailing comment
[profiles.fast]
model_reasoning_effort = "low"
`;

let dir: string;
let config: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-config-'));
  config = join(dir, 'config.toml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function roundTrip(original: string): void {
  writeFileSync(config, original);
  expect(installServerEntry(config, 'team', entry)).toBe(true);
  const installed = readFileSync(config, 'utf8');
  expect(installed.startsWith(original)).toBe(true);
  expect(installServerEntry(config, 'team', entry)).toBe(false);
  expect(readFileSync(config, 'utf8')).toBe(installed);
  expect(readServerEntry(config, 'team')).toMatchObject({ command: entry.command, args: entry.args, managed: true });
  expect(uninstallServerEntry(config, 'team')).toBe(true);
  expect(readFileSync(config, 'utf8')).toBe(original);
}

describe('installServerEntry / uninstallServerEntry on real files', () => {
  it('keeps comments and other servers, and uninstall restores the file byte for byte', () => {
    roundTrip(USER_CONFIG);
  });

  it('handles CRLF line endings', () => {
    roundTrip(USER_CONFIG.replace(/\n/g, '\r\n'));
    writeFileSync(config, USER_CONFIG.replace(/\n/g, '\r\n'));
    installServerEntry(config, 'team', entry);
    expect(readFileSync(config, 'utf8').replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('handles a file without a trailing newline', () => {
    roundTrip(USER_CONFIG.trimEnd());
  });

  it('creates a missing file, and uninstall deletes it again', () => {
    expect(installServerEntry(join(dir, 'new-home', 'config.toml'), 'team', entry)).toBe(true);
    expect(readServerEntry(join(dir, 'new-home', 'config.toml'), 'team')?.command).toBe(entry.command);
    expect(uninstallServerEntry(join(dir, 'new-home', 'config.toml'), 'team')).toBe(true);
    expect(existsSync(join(dir, 'new-home', 'config.toml'))).toBe(false);
    expect(uninstallServerEntry(config, 'team')).toBe(false);
  });

  it('keeps the file\'s permissions', () => {
    writeFileSync(config, USER_CONFIG);
    chmodSync(config, 0o600);
    installServerEntry(config, 'team', entry);
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });

  it('keeps lines added after the block when uninstalling', () => {
    writeFileSync(config, USER_CONFIG);
    installServerEntry(config, 'team', entry);
    writeFileSync(config, `${readFileSync(config, 'utf8')}[mcp_servers.later]\ncommand = "later"\n`);
    uninstallServerEntry(config, 'team');
    expect(readFileSync(config, 'utf8')).toBe(`${USER_CONFIG}[mcp_servers.later]\ncommand = "later"\n`);
  });

  it.each([
    ['a table', '[mcp_servers.team]\ncommand = "mine"\n'],
    ['a quoted table name', '[mcp_servers."team"]\ncommand = "mine"\n'],
    ['dotted keys', 'mcp_servers.team.command = "mine"\n'],
    ['a sub-table only', '[mcp_servers.team.env]\nA = "1"\n'],
  ])('refuses, changing nothing, when the user has [mcp_servers.team] as %s', (_label, text) => {
    writeFileSync(config, text);
    expect(() => installServerEntry(config, 'team', entry)).toThrow(/^CONFLICT: .*did not write/);
    expect(readFileSync(config, 'utf8')).toBe(text);
    expect(readServerEntry(config, 'team')?.managed).toBe(false);
    expect(uninstallServerEntry(config, 'team')).toBe(false);
  });

  it('refuses a user table added beside our block', () => {
    writeFileSync(config, USER_CONFIG);
    installServerEntry(config, 'team', entry);
    const withBoth = `mcp_servers.team.enabled = false\n${readFileSync(config, 'utf8')}`;
    writeFileSync(config, withBoth);
    expect(() => installServerEntry(config, 'team', entry)).toThrow(/^CONFLICT: .*did not write/);
    expect(readFileSync(config, 'utf8')).toBe(withBoth);
  });

  it('installs beside another server name', () => {
    writeFileSync(config, '[mcp_servers.team]\ncommand = "mine"\n');
    expect(installServerEntry(config, 'team2', entry)).toBe(true);
    expect(readServerEntry(config, 'team2')?.managed).toBe(true);
  });

  it('refuses a config that is not valid TOML, changing nothing', () => {
    writeFileSync(config, 'model = \n');
    expect(() => installServerEntry(config, 'team', entry)).toThrow(/^INVALID_INPUT: .*not valid TOML \(line 1/);
    expect(readFileSync(config, 'utf8')).toBe('model = \n');
  });

  it('refuses a layout the block cannot be appended to, changing nothing', () => {
    const inline = 'mcp_servers = { docs = { command = "npx" } }\n';
    writeFileSync(config, inline);
    expect(() => installServerEntry(config, 'team', entry)).toThrow(/^CONFLICT: cannot add/);
    expect(readFileSync(config, 'utf8')).toBe(inline);
  });
});
