import { join } from 'node:path';
import { defaultDbPath } from './default-db-path';

describe('defaultDbPath', () => {
  it('prefers CODEX_TEAM_DB, then CODEX_TEAM_HOME/team.db, then ~/.codex-team/team.db', () => {
    expect(defaultDbPath({ CODEX_TEAM_DB: '/x/a.db', CODEX_TEAM_HOME: '/h' }, '/home/u')).toBe('/x/a.db');
    expect(defaultDbPath({ CODEX_TEAM_HOME: '/h' }, '/home/u')).toBe(join('/h', 'team.db'));
    expect(defaultDbPath({}, '/home/u')).toBe(join('/home/u', '.codex-team', 'team.db'));
    expect(defaultDbPath({ CODEX_TEAM_DB: '', CODEX_TEAM_HOME: '' }, '/home/u')).toBe(join('/home/u', '.codex-team', 'team.db'));
  });
});
