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
    [pg.url, '-Atc', "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'codex_team_bench_%' OR nspname LIKE 'codex_team_ceiling_%'"],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter((line) => line !== '');
}

// Timing is the benchmark's business; this proves that it runs the adapter (client processes) and
// the raw ceiling against a real PostgreSQL at every client count in one run, reports each figure
// and the ratios from them, and leaves no scratch schema behind.
describe('codex-team bench pg-store (built binary, quick, throwaway cluster)', () => {
  it('reports the adapter beside the raw ceiling at 1, 4 and 16 clients, with their ratios, and drops its scratch schemas', () => {
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
      '1 client: adapter vs raw ceiling',
      '4 clients: adapter vs raw ceiling',
      '16 clients: adapter vs raw ceiling',
      'adapter throughput rises from 1 to 16 clients',
    ]);
    expect(run.status).toBe(goals.every((goal) => goal.met) ? 0 : 1);
    const figures = new Map(reports[0]?.measurements.map((m) => [m.name, m.value]));
    for (const clients of ['1 client', '4 clients', '16 clients']) {
      for (const figure of ['adapter claim+complete pairs/s', 'raw ceiling claim+complete pairs/s', 'adapter claim p50', 'adapter claim p99', 'raw claim p99']) {
        const value = figures.get(`${clients}: ${figure}`);
        expect(Number.isFinite(value) && (value ?? 0) > 0).toBe(true);
      }
      expect(figures.get(`${clients}: ratio to ceiling`)).toBeCloseTo(
        (figures.get(`${clients}: adapter claim+complete pairs/s`) ?? 0) / (figures.get(`${clients}: raw ceiling claim+complete pairs/s`) ?? 1),
        6,
      );
    }
    expect(figures.get('adapter 16 clients / 1 client')).toBeCloseTo(
      (figures.get('16 clients: adapter claim+complete pairs/s') ?? 0) / (figures.get('1 client: adapter claim+complete pairs/s') ?? 1),
      6,
    );
    expect(scratchSchemas()).toEqual([]);
  });
});
