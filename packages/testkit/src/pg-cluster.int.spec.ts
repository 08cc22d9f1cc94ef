import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PG_OS_USER, findPostgresBinDir, startThrowawayPostgres } from './pg-cluster';

jest.setTimeout(120_000);

function psql(url: string, sql: string): string {
  return execFileSync(join(findPostgresBinDir(), 'psql'), [url, '-Atc', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('a throwaway PostgreSQL cluster', () => {
  it('runs on loopback as an unprivileged user, with a password, and is gone after stop', async () => {
    const cluster = await startThrowawayPostgres();
    try {
      expect(cluster.url).toMatch(/^postgres:\/\/codex:[0-9a-f]{48}@127\.0\.0\.1:\d+\/postgres$/);
      expect(psql(cluster.url, 'SELECT 1 + 1')).toBe('2');
      expect(psql(cluster.url, "SELECT setting FROM pg_settings WHERE name = 'listen_addresses'")).toBe('127.0.0.1');
      const owner = statSync(join(cluster.dir, 'data')).uid;
      if (process.getuid?.() === 0) expect(owner).toBe(Number(execFileSync('id', ['-u', PG_OS_USER], { encoding: 'utf8' }).trim()));
      else expect(owner).toBe(process.getuid?.());
      expect(() => psql(cluster.url.replace(/:[0-9a-f]{48}@/, ':wrong@'), 'SELECT 1')).toThrow(/password authentication failed/);
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dir)).toBe(false);
    expect(() => psql(cluster.url, 'SELECT 1')).toThrow();
  });
});
