import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  tables: { columns: string[]; rows: string[][] }[];
  measurements: { name: string; value: number; unit: string }[];
  goals: unknown[];
}

// The cost is the benchmark's figure, not this test's: it proves both stores really drain every
// shape in one run and every ratio comes from the two figures measured there.
describe('codex-team bench claim-cost (built binary, quick)', () => {
  it('drains four DAG shapes with and without critical-path ranking and reports each ratio from that run', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'claim-cost', '--quick', '--json'], { encoding: 'utf8', timeout: 110_000 });
    expect(run.status).toBe(0);
    const [report] = (JSON.parse(run.stdout) as { reports: Report[] }).reports;
    expect(report?.benchmark).toBe('claim-cost');
    const rows = report?.tables[0]?.rows ?? [];
    expect(rows.map((row) => row[0])).toEqual(['flat backlog', 'three-task chains', 'fork-join blocks of 40', 'random layered']);
    const figure = (name: string): number => {
      const found = report?.measurements.find((m) => m.name === name);
      if (found === undefined) throw new Error(`no figure ${name}`);
      return found.value;
    };
    for (const m of report?.measurements ?? []) expect({ [m.name]: Number.isFinite(m.value) && m.value > 0 }).toEqual({ [m.name]: true });
    for (const row of rows) {
      const [shape, ranked, , ratio] = row;
      expect(figure(`${shape}: claim p50 ranked`).toFixed(2)).toBe(ranked);
      expect(figure(`${shape}: claim p50 ranked / unranked`).toFixed(2)).toBe(ratio);
    }
    expect(figure('worst shape: claim p50 ranked / unranked')).toBe(Math.max(...rows.map((row) => figure(`${row[0]}: claim p50 ranked / unranked`))));
  }, 120_000);
});
