import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; met: boolean }[];
}

// Timing goals are the benchmark's verdict, not this test's: it proves that the benchmark really
// starts codex-team serve and a stdio server, calls both, and reports the ratio of that one run.
describe('codex-team bench http (built binary, quick)', () => {
  it('measures team_inbox over HTTP and over stdio and reports their ratio', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'http', '--quick', '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect([0, 1]).toContain(run.status);
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    expect(reports.map((report) => report.benchmark)).toEqual(['http']);
    const [report] = reports;
    const figures = new Map(report?.measurements.map((m) => [m.name, m.value]));
    for (const value of figures.values()) expect(Number.isFinite(value) && value > 0).toBe(true);
    const ratio = (figures.get('round trip HTTP team_inbox p50') ?? 0) / (figures.get('round trip stdio team_inbox p50') ?? 1);
    expect(figures.get('round trip ratio HTTP / stdio (p50)')).toBeCloseTo(ratio, 6);
    expect(report?.goals.map((goal) => goal.name)).toEqual(['tool round trip over HTTP vs stdio']);
    expect(report?.goals[0]?.measured).toBeCloseTo(ratio, 6);
    expect(run.status).toBe(report?.goals.every((goal) => goal.met) === true ? 0 : 1);
  }, 150_000);
});
