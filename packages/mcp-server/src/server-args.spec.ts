import { join } from 'node:path';
import { DEFAULTS } from '@codex-team/contracts';
import { ServerArgsError, parseServerArgs } from './server-args';

describe('parseServerArgs', () => {
  it('takes --db, --lease-ms and --log-level', () => {
    expect(parseServerArgs(['--db', '/tmp/a.db', '--lease-ms', '300', '--log-level', 'warn'], {})).toEqual({
      dbPath: '/tmp/a.db',
      leaseMs: 300,
      logLevel: 'warn',
      help: false,
    });
  });

  it('falls back to CODEX_TEAM_DB, then CODEX_TEAM_HOME, then ~/.codex-team/team.db', () => {
    expect(parseServerArgs([], { CODEX_TEAM_DB: '/x/team.db', CODEX_TEAM_HOME: '/home' }).dbPath).toBe('/x/team.db');
    expect(parseServerArgs([], { CODEX_TEAM_HOME: '/h' }).dbPath).toBe(join('/h', 'team.db'));
    expect(parseServerArgs([], {}).dbPath).toMatch(/\.codex-team[\\/]team\.db$/);
    expect(parseServerArgs([], {}).leaseMs).toBe(DEFAULTS.leaseMs);
  });

  it.each([
    [['--lease-ms', 'soon']],
    [['--lease-ms', '0']],
    [['--lease-ms', '1.5']],
    [['--log-level', 'loud']],
    [['--db']],
    [['--db', '']],
    [['--port', '3']],
    [['extra']],
  ])('refuses %j with a ServerArgsError', (argv) => {
    expect(() => parseServerArgs(argv, {})).toThrow(ServerArgsError);
  });
});
