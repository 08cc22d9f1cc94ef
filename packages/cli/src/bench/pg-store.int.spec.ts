import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findPostgresBinDir, postgresForTests, type TestPostgres } from '@codex-team/testkit';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; met: boolean }[];
}

jest.setTimeout(300_000);

let pg: TestPostgres;
beforeAll(async () => {
  pg = await postgresForTests();
});
afterAll(async () => {
  await pg.release();
});

function scratchSchemas(): string[] {
  const out = execFileSync(
    join(findPostgresBinDir(), 'psql'),
    [pg.url, '-Atc', "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'codex_team_bench_%' OR nspname LIKE 'codex_team_replay_%' OR nspname LIKE 'codex_team_server_%' OR nspname LIKE 'codex_team_ceiling_%'"],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter((line) => line !== '');
}

// Timing is the benchmark's business; this proves that it runs the adapter (in one server process
// over pooled store threads, and in client processes), the replay of the adapter's own statements (from one process, and by one process per client) and the
// bare two-statement pair against a real PostgreSQL at every client count in one run, reports each
// figure and the ratios from them, and leaves no scratch schema behind.
describe('codex-team bench pg-store (built binary, quick, throwaway cluster)', () => {
  it('reports the adapter, served by one process and by a process per client, beside the same SQL without it at 1, 4, 16 and 32 clients, with their ratios, and drops its scratch schemas', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'pg-store', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 280_000,
      env: { ...process.env, CODEX_TEAM_PG_URL: pg.url },
    });
    expect(run.stderr).not.toContain('INTERNAL');
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    // The goals (half the ceiling, rising with clients) are checked in the run: it exits 1 when one is missed.
    const goals = reports[0]?.goals ?? [];
    expect(goals.map((goal) => goal.name)).toEqual([
      '1 client: server vs the same SQL without it',
      '4 clients: server vs the same SQL without it',
      '16 clients: server vs the same SQL without it',
      '32 clients: server vs the same SQL without it',
      'server throughput rises from 1 to 16 clients',
    ]);
    expect(run.status).toBe(goals.every((goal) => goal.met) ? 0 : 1);
    const figures = new Map(reports[0]?.measurements.map((m) => [m.name, m.value]));
    for (const clients of ['1 client', '4 clients', '16 clients', '32 clients']) {
      const figure = (name: string): number => figures.get(`${clients}: ${name}`) ?? Number.NaN;
      for (const name of ['server (one process, 2 store threads) claim+complete pairs/s', 'the same SQL replayed raw over 2 connections, pairs/s', 'server claim p50', 'server claim p99', 'adapter claim+complete pairs/s', 'the same SQL replayed raw, pairs/s', 'the same SQL replayed by one process per client, pairs/s', 'a bare two-statement claim+complete, pairs/s', 'adapter claim p50', 'adapter claim p99']) {
        expect(Number.isFinite(figure(name)) && figure(name) > 0).toBe(true);
      }
      // 96 tasks are timed (--quick); each client's 4 warm-up pairs before them are not.
      expect(figure('timed pairs per round')).toBe(96);
      expect(figure('server timed pairs per round')).toBe(96);
      expect(figure('server ratio to the same SQL raw over 2 connections')).toBeCloseTo(figure('server (one process, 2 store threads) claim+complete pairs/s') / figure('the same SQL replayed raw over 2 connections, pairs/s'), 6);
      expect(figure('server ratio to the same SQL raw')).toBeCloseTo(figure('server (one process, 2 store threads) claim+complete pairs/s') / figure('the same SQL replayed raw, pairs/s'), 6);
      // A claim and a completion are each at least an opening, a write and a commit.
      expect(figure('round trips per pair')).toBeGreaterThanOrEqual(6);
      expect(figure('statements per pair')).toBeGreaterThanOrEqual(figure('round trips per pair'));
      expect(figure('ratio to the same SQL raw')).toBeCloseTo(figure('adapter claim+complete pairs/s') / figure('the same SQL replayed raw, pairs/s'), 6);
      expect(figure('ratio to the same SQL by one process per client')).toBeCloseTo(figure('adapter claim+complete pairs/s') / figure('the same SQL replayed by one process per client, pairs/s'), 6);
      // A count, reported at every client count (a missing figure is NaN and fails this).
      expect(Number.isInteger(figure('replay transactions sent again')) && figure('replay transactions sent again') >= 0).toBe(true);
      expect(figure('ratio to the bare two-statement pair')).toBeCloseTo(figure('adapter claim+complete pairs/s') / figure('a bare two-statement claim+complete, pairs/s'), 6);
    }
    const served = (clients: string): number => figures.get(`${clients}: server (one process, 2 store threads) claim+complete pairs/s`) ?? Number.NaN;
    expect(figures.get('server 16 clients / 1 client')).toBeCloseTo(served('16 clients') / served('1 client'), 6);
    const perClient = (clients: string): number => figures.get(`${clients}: adapter claim+complete pairs/s`) ?? Number.NaN;
    expect(figures.get('a process per client: 16 clients / 1 client')).toBeCloseTo(perClient('16 clients') / perClient('1 client'), 6);
    expect(scratchSchemas()).toEqual([]);
  });
});
