import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findPostgresBinDir, postgresForTests, type TestPostgres } from '@codex-team/testkit';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
}

jest.setTimeout(180_000);

let pg: TestPostgres;
beforeAll(async () => {
  pg = await postgresForTests();
});
afterAll(async () => {
  await pg.release();
});

function schemas(): string[] {
  const out = execFileSync(join(findPostgresBinDir(), 'psql'), [pg.url, '-Atc', "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'codex_team_ceiling_%'"], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((line) => line !== '');
}

// Timing is the benchmark's business; this proves that it runs the ceiling against a real
// PostgreSQL at every client count, reports each figure, and leaves no scratch schema behind.
describe('codex-team bench pg-claims (built binary, quick, throwaway cluster)', () => {
  it('reports the raw ceiling at 1, 4, 16 and 32 clients and drops its scratch schemas', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'pg-claims', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 150_000,
      env: { ...process.env, CODEX_TEAM_PG_URL: pg.url },
    });
    expect(run.stderr).not.toContain('INTERNAL');
    expect(run.status).toBe(0);
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    const figures = new Map(reports[0]?.measurements.map((m) => [m.name, m.value]));
    for (const clients of ['1 client', '4 clients', '16 clients', '32 clients']) {
      for (const figure of ['raw ceiling claim+complete pairs/s', 'raw claim p50', 'raw claim p99']) {
        const value = figures.get(`${clients}: ${figure}`);
        expect(Number.isFinite(value) && (value ?? 0) > 0).toBe(true);
      }
    }
    expect(figures.get('raw ceiling 16 clients / 1 client')).toBeCloseTo(
      (figures.get('16 clients: raw ceiling claim+complete pairs/s') ?? 0) / (figures.get('1 client: raw ceiling claim+complete pairs/s') ?? 1),
      6,
    );
    expect(schemas()).toEqual([]);
  });

  it('refuses to run without $CODEX_TEAM_PG_URL', () => {
    const env = { ...process.env };
    delete env['CODEX_TEAM_PG_URL'];
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'pg-claims', '--quick'], { encoding: 'utf8', env });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^codex-team bench: INVALID_INPUT: benchmark pg-claims needs \$CODEX_TEAM_PG_URL/m);
  });
});
