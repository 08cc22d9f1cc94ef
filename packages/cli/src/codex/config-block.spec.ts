import { parse } from 'smol-toml';
import { beginMarker, detectEol, findBlock, insertBlock, removeBlock, tomlString, type McpServerEntry } from './config-block';

const entry: McpServerEntry = {
  command: '/usr/bin/node',
  args: ['/opt/codex-team/mcp-server/dist/bin.js', '--db', '/home/me/.codex-team/team.db'],
  startupTimeoutSec: 30,
  toolTimeoutSec: 120,
};

describe('config block', () => {
  it.each([
    ['an empty file', ''],
    ['a file ending in a newline', 'model = "o3"\n'],
    ['a file without a trailing newline', 'model = "o3"'],
    ['a file ending in a blank line', 'model = "o3"\n\n'],
    ['a CRLF file', 'model = "o3"\r\n# note\r\n'],
    ['a CRLF file without a trailing newline', 'model = "o3"\r\n[tui]\r\nx = 1'],
    ['a file of one newline', '\n'],
  ])('restores %s byte for byte after insert then remove', (_label, original) => {
    const installed = insertBlock(original, 'team', entry);
    expect(installed).not.toBe(original);
    expect(removeBlock(installed, 'team')).toBe(original);
  });

  it('writes the block in the file\'s own line endings', () => {
    const installed = insertBlock('a = 1\r\n', 'team', entry);
    expect(installed.replace(/\r\n/g, '')).not.toContain('\n');
    expect(detectEol(installed)).toBe('\r\n');
  });

  it('gives the same bytes when inserted twice', () => {
    const once = insertBlock('a = 1\n', 'team', entry);
    expect(insertBlock(once, 'team', entry)).toBe(once);
  });

  it('rewrites the block in place when the entry changes, keeping what follows', () => {
    const once = insertBlock('a = 1\n', 'team', entry) + '[mcp_servers.other]\ncommand = "x"\n';
    const moved = insertBlock(once, 'team', { ...entry, args: ['/new/bin.js'] });
    expect(moved).toContain('args = ["/new/bin.js"]');
    expect(moved.endsWith('[mcp_servers.other]\ncommand = "x"\n')).toBe(true);
    expect(removeBlock(moved, 'team')).toBe('a = 1\n[mcp_servers.other]\ncommand = "x"\n');
  });

  it('produces TOML that reads back as the entry', () => {
    const doc = parse(insertBlock('', 'team', entry)) as { mcp_servers: Record<string, Record<string, unknown>> };
    expect(doc.mcp_servers['team']).toEqual({
      command: entry.command,
      args: entry.args,
      startup_timeout_sec: 30,
      tool_timeout_sec: 120,
      default_tools_approval_mode: 'approve',
      required: true,
    });
  });

  it('keeps blocks of different server names apart', () => {
    const both = insertBlock(insertBlock('', 'team', entry), 'team2', entry);
    expect(removeBlock(both, 'team2')).toBe(insertBlock('', 'team', entry));
    expect(removeBlock('a = 1\n', 'team')).toBeUndefined();
  });

  it('refuses a begin marker without its end marker', () => {
    expect(() => findBlock(`${beginMarker('team')}\n[mcp_servers.team]\n`, 'team')).toThrow(/^CONFLICT: /);
  });

  it('escapes strings the way TOML reads them', () => {
    for (const value of ['C:\\Program Files\\node.exe', 'quote " here', 'tab\tand\u007fdel', 'ünïcødé 🚀']) {
      expect((parse(`v = ${tomlString(value)}`) as { v: string }).v).toBe(value);
    }
    expect(() => tomlString('bad \uD800 surrogate')).toThrow(/^INVALID_INPUT: /);
  });
});
