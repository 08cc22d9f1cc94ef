import { BufferSink, type CliIo } from '../cli-io';
import { checkServerName, resolveCodexHome, resolveStoreFile, resolveStoreLocation } from './codex-paths';

/** The reason a command gives for taking a SQLite file only. */
const WHY = 'this command copies a SQLite file';

function io(env: Record<string, string>): CliIo {
  return { stdout: new BufferSink(), stderr: new BufferSink(), env, homeDir: '/home/me', cwd: '/work', execPath: '/usr/bin/node', nodeVersion: '20.20.0', stdoutIsTerminal: false };
}

describe('Codex and store paths', () => {
  it('takes --codex-home first, then $CODEX_HOME, then ~/.codex, made absolute', () => {
    expect(resolveCodexHome('rel/home', io({ CODEX_HOME: '/env/home' }))).toBe('/work/rel/home');
    expect(resolveCodexHome(undefined, io({ CODEX_HOME: '/env/home' }))).toBe('/env/home');
    expect(resolveCodexHome(undefined, io({}))).toBe('/home/me/.codex');
  });

  it('resolves the store now, from --db, $CODEX_TEAM_DB, $CODEX_TEAM_HOME or ~/.codex-team', () => {
    expect(resolveStoreFile('team.db', io({ CODEX_TEAM_DB: '/env/x.db' }), WHY)).toBe('/work/team.db');
    expect(resolveStoreFile(undefined, io({ CODEX_TEAM_DB: 'rel.db' }), WHY)).toBe('/work/rel.db');
    expect(resolveStoreFile(undefined, io({ CODEX_TEAM_HOME: '/teams' }), WHY)).toBe('/teams/team.db');
    expect(resolveStoreFile(undefined, io({}), WHY)).toBe('/home/me/.codex-team/team.db');
  });

  it('hands a PostgreSQL URL on as given, and refuses it, password masked, where only a SQLite file will do, saying why', () => {
    const url = 'postgres://u:secret@db.invalid/team';
    expect(resolveStoreLocation(url, io({}))).toBe(url);
    expect(resolveStoreLocation(undefined, io({ CODEX_TEAM_DB: url }))).toBe(url);
    expect(resolveStoreLocation('team.db', io({ CODEX_TEAM_DB: url }))).toBe('/work/team.db');
    expect(resolveStoreFile(undefined, io({ CODEX_TEAM_DB: 'rel.db' }), WHY)).toBe('/work/rel.db');
    expect(() => resolveStoreFile(undefined, io({ CODEX_TEAM_DB: url }), WHY)).toThrow(/^this command copies a SQLite file, not the PostgreSQL database postgres:\/\/u:\*\*\*@db\.invalid\/team$/);
  });

  it('accepts only short names Codex can turn into a tool namespace', () => {
    expect(checkServerName('team_2-b')).toBe('team_2-b');
    expect(() => checkServerName('team.x')).toThrow(/^--name must be/);
    expect(() => checkServerName('x'.repeat(33))).toThrow(/^--name must be/);
  });
});
