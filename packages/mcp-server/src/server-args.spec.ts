import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RECOVERY_POLICY, recoveryPolicy } from '@codex-team/recovery';
import { ServerArgsError, parseServerArgs } from './server-args';

describe('parseServerArgs', () => {
  it('takes --db, --profiles-dir, --lease-ms and --log-level', () => {
    expect(
      parseServerArgs(['--db', '/tmp/a.db', '--profiles-dir', '/tmp/p', '--lease-ms', '300', '--log-level', 'warn'], {}),
    ).toEqual({
      dbPath: '/tmp/a.db',
      profilesDir: '/tmp/p',
      leaseMs: 300,
      recovery: recoveryPolicy({ leaseMs: 300 }),
      logLevel: 'warn',
      codexServerKey: 'team',
      codexThreadCap: undefined,
      hooksFile: undefined,
      codexHome: join(homedir(), '.codex'),
      logFile: undefined,
      help: false,
    });
  });

  it('takes --log-file PATH (default: stderr only), and refuses an empty one', () => {
    expect(parseServerArgs(['--log-file', '/var/log/team.log'], {}).logFile).toBe('/var/log/team.log');
    expect(() => parseServerArgs(['--log-file', ''], {})).toThrow(new ServerArgsError('--log-file needs a path'));
  });

  it('takes --codex-home DIR, else $CODEX_HOME, else ~/.codex; refuses an empty one', () => {
    expect(parseServerArgs(['--codex-home', '/srv/codex'], { CODEX_HOME: '/elsewhere' }).codexHome).toBe('/srv/codex');
    expect(parseServerArgs([], { CODEX_HOME: '/elsewhere' }).codexHome).toBe('/elsewhere');
    expect(parseServerArgs([], { HOME: '/home/me' }).codexHome).toBe('/home/me/.codex');
    expect(() => parseServerArgs(['--codex-home', ''], {})).toThrow(new ServerArgsError('--codex-home needs a path'));
  });

  it('takes --hooks FILE, and refuses an empty one', () => {
    expect(parseServerArgs(['--hooks', '/etc/team/hooks.json'], {}).hooksFile).toBe('/etc/team/hooks.json');
    expect(() => parseServerArgs(['--hooks', ''], {})).toThrow(new ServerArgsError('--hooks needs a path'));
  });

  it("takes the Codex server key and Codex's thread cap with where it came from", () => {
    const args = ['--name', 'crew', '--codex-thread-cap', '3', '--codex-thread-cap-from', 'multi-agent v2 default'];
    expect(parseServerArgs(args, {})).toMatchObject({
      codexServerKey: 'crew',
      codexThreadCap: { teammates: 3, from: 'multi-agent v2 default' },
    });
    expect(parseServerArgs(['--codex-thread-cap', '2'], {}).codexThreadCap).toEqual({ teammates: 2, from: '--codex-thread-cap 2' });
  });

  it.each([
    [['--name', 'a b'], /--name must be/],
    [['--codex-thread-cap', 'three'], /--codex-thread-cap must be a whole number/],
    [['--codex-thread-cap-from', 'x'], /needs --codex-thread-cap/],
  ])('refuses %j', (args, message) => {
    expect(() => parseServerArgs(args, {})).toThrow(message);
  });

  it("leaves the lease to the team's profile unless --lease-ms overrides it", () => {
    expect(parseServerArgs([], {}).leaseMs).toBeUndefined();
  });

  it('finds user profiles in $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles', () => {
    expect(parseServerArgs([], { CODEX_TEAM_HOME: '/h' }).profilesDir).toBe(join('/h', 'profiles'));
    expect(parseServerArgs([], {}).profilesDir).toMatch(/\.codex-team[\\/]profiles$/);
  });

  it('falls back to CODEX_TEAM_DB, then CODEX_TEAM_HOME, then ~/.codex-team/team.db', () => {
    expect(parseServerArgs([], { CODEX_TEAM_DB: '/x/team.db', CODEX_TEAM_HOME: '/home' }).dbPath).toBe('/x/team.db');
    expect(parseServerArgs([], { CODEX_TEAM_HOME: '/h' }).dbPath).toBe(join('/h', 'team.db'));
    expect(parseServerArgs([], {}).dbPath).toMatch(/\.codex-team[\\/]team\.db$/);
    expect(parseServerArgs([], {}).recovery).toEqual(DEFAULT_RECOVERY_POLICY);
  });

  it('takes the recovery numbers: sweep interval (0 turns the timer off), grace, stale time, attempts', () => {
    const args = ['--lease-ms', '2000', '--sweep-ms', '0', '--grace-ms', '300', '--stale-ms', '5000', '--max-attempts', '5'];
    expect(parseServerArgs(args, {}).recovery).toEqual({
      leaseMs: 2_000,
      sweepEveryMs: 0,
      graceMs: 300,
      staleAfterMs: 5_000,
      // An explicit --max-attempts holds for every team, whatever its profile says.
      maxAttempts: 5,
      heartbeatEveryMs: 1_250,
    });
  });

  it.each([
    [['--lease-ms', 'soon']],
    [['--lease-ms', '0']],
    [['--lease-ms', '1.5']],
    [['--log-level', 'loud']],
    [['--sweep-ms', '-1']],
    [['--grace-ms', 'later']],
    [['--max-attempts', '0']],
    [['--lease-ms', '60000', '--stale-ms', '60000']],
    [['--db']],
    [['--db', '']],
    [['--profiles-dir', '']],
    [['--port', '3']],
    [['extra']],
  ])('refuses %j with a ServerArgsError', (argv) => {
    expect(() => parseServerArgs(argv, {})).toThrow(ServerArgsError);
  });
});
