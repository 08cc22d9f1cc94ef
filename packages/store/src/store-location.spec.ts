import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, openSqliteTeamStoreReadOnly } from './sqlite-team-store';
import { isPostgresUrl, redactStoreLocation } from './store-location';

describe('store locations', () => {
  it('tells a PostgreSQL URL from a SQLite path', () => {
    expect(isPostgresUrl('postgres://u:p@db:5432/team')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://db/team')).toBe(true);
    expect(isPostgresUrl('/home/me/.codex-team/team.db')).toBe(false);
    expect(isPostgresUrl('postgres.db')).toBe(false);
  });

  it('masks the password of a URL in logs and messages, and leaves paths as they are', () => {
    expect(redactStoreLocation('postgres://codex:s3cret@db:5432/team')).toBe('postgres://codex:***@db:5432/team');
    expect(redactStoreLocation('postgres://db/team')).toBe('postgres://db/team');
    expect(redactStoreLocation('/tmp/team.db')).toBe('/tmp/team.db');
  });

  it('refuses a URL where a SQLite file is opened, creating nothing and naming no password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-team-location-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const url = 'postgres://codex:s3cret@db:5432/team';
      for (const open of [
        () => openSqliteTeamStore({ path: url, clock: new FakeClock(), ids: new SequentialIdGenerator() }),
        () => openSqliteTeamStoreReadOnly({ path: url, clock: new FakeClock() }),
      ]) {
        const error: unknown = await open().then(() => null, (caught: unknown) => caught);
        expect(isTeamError(error) && error.code).toBe('INVALID_INPUT');
        expect(String(error)).not.toContain('s3cret');
      }
      expect(readdirSync(dir)).toEqual([]);
      expect(existsSync(join(dir, 'postgres:'))).toBe(false);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
