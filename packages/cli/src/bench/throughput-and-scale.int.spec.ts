import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; target: number; met: boolean }[];
}

// Timing goals are the benchmarks' verdict, not this test's: it proves that both really run the
// store in several processes and the server on growing DAGs, and derive every ratio from figures
// measured in that one run.
describe('codex-team bench claim-throughput and status-scale (built binary, quick)', () => {
  it('reports pairs/s against the raw ceiling for 1-6 processes, and growth per tenfold of the DAG', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'claim-throughput,status-scale', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect([0, 1]).toContain(run.status);
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    expect(reports.map((report) => report.benchmark)).toEqual(['claim-throughput', 'status-scale']);
    const [claims, scale] = reports;
    const figure = (report: Report | undefined, name: string): number => {
      const found = report?.measurements.find((m) => m.name === name);
      if (found === undefined) throw new Error(`no figure ${name}`);
      return found.value;
    };
    for (const report of reports) for (const m of report.measurements) expect({ [m.name]: Number.isFinite(m.value) && m.value > 0 }).toEqual({ [m.name]: true });
    for (const processes of ['1 process', '2 processes', '4 processes', '6 processes']) {
      const ratio = figure(claims, `${processes}: claim+complete pairs/s`) / figure(claims, `${processes}: raw ceiling (IMMEDIATE tx/s / 2)`);
      expect(figure(claims, `${processes}: ratio to ceiling`)).toBeCloseTo(ratio, 6);
    }
    const status = (size: number) => figure(scale, `team_status (lead, with hints) over MCP @ ${size}`);
    const growth = (status(3_000) / status(1_000)) ** (1 / Math.log10(3_000 / 1_000));
    expect(figure(scale, 'team_status (lead, with hints) over MCP: growth per 10x tasks (1000 -> 3000)')).toBeCloseTo(growth, 6);
    // The growth allowed is 15x per tenfold, or the bare hash pass's growth in this run when larger.
    const baseline = figure(scale, 'bare hash pass over the DAG (baseline): growth per 10x tasks (1000 -> 3000)');
    expect(scale?.goals.find((goal) => goal.name.startsWith('scheduler readiness'))?.target).toBeCloseTo(Math.max(15, baseline), 6);
    const goals = reports.flatMap((report) => report.goals);
    expect(goals.map((goal) => goal.name)).toEqual(expect.arrayContaining(['4 processes: claim+complete pairs/s', '4 processes: claim p99']));
    expect(run.status).toBe(goals.every((goal) => goal.met) ? 0 : 1);
  }, 180_000);
});
