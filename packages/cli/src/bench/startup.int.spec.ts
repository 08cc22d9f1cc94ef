import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; met: boolean }[];
}

// Timing goals are the benchmark's verdict, not this test's: it only proves that the benchmark
// really starts both servers, calls them, and reports every figure and goal from that one run.
describe('codex-team bench startup (built binary, quick)', () => {
  it('measures codex-team-mcp and the bare SDK server and reports ratios of the two', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'startup', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect([0, 1]).toContain(run.status);
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    expect(reports.map((report) => report.benchmark)).toEqual(['startup']);
    const [report] = reports;
    const figures = new Map(report?.measurements.map((m) => [m.name, m.value]));
    for (const value of figures.values()) expect(Number.isFinite(value) && value > 0).toBe(true);
    const ratio = (figures.get('cold start codex-team-mcp p50') ?? 0) / (figures.get('cold start bare SDK server p50') ?? 1);
    expect(figures.get('cold start ratio (p50)')).toBeCloseTo(ratio, 6);
    expect(report?.goals.map((goal) => goal.name)).toEqual(['cold start vs bare SDK server', 'tool round trip vs bare SDK server']);
    expect(run.status).toBe(report?.goals.every((goal) => goal.met) === true ? 0 : 1);
  }, 150_000);
});
