import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  tables: { columns: string[]; rows: string[][] }[];
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; target: number; met: boolean }[];
}

// The goals are the benchmark's verdict, not this test's: it proves the built command simulates
// the whole eval set, prints the same figures twice for the same seed, and exits by its goals.
describe('codex-team bench --only scheduling (built binary, quick)', () => {
  it('simulates every shape under every policy, the same way each time, and exits 1 exactly when a goal is missed', () => {
    const bench = () => spawnSync(process.execPath, [CLI, 'bench', '--only', 'scheduling', '--quick', '--json'], { encoding: 'utf8', timeout: 110_000 });
    const first = bench();
    expect([0, 1]).toContain(first.status);
    const { reports } = JSON.parse(first.stdout) as { reports: Report[] };
    const [report] = reports;
    expect(report?.benchmark).toBe('scheduling');
    expect(report?.tables[0]?.rows.length).toBeGreaterThanOrEqual(20);
    expect(report?.goals.map((goal) => goal.name)).toEqual(
      expect.arrayContaining(['controller decisions above the cap', 'controller spawns for pure chains']),
    );
    expect(report?.measurements.find((m) => m.name === 'controller decisions above the cap')?.value).toBe(0);
    expect(first.status).toBe(report?.goals.every((goal) => goal.met) ? 0 : 1);
    const second = bench();
    expect(second.stdout).toBe(first.stdout);
  }, 240_000);
});
