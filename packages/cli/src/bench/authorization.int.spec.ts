import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; met: boolean }[];
}

// Timing goals are the benchmark's verdict, not this test's: it proves the benchmark really drives
// the built server and reads the decision log it wrote, reporting every figure from that one run.
describe('codex-team bench authorization (built binary, quick)', () => {
  it('measures reads, refusals and state changes and counts their decision records', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'authorization', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect([0, 1]).toContain(run.status);
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    const [report] = reports;
    expect(report?.benchmark).toBe('authorization');
    const figures = new Map(report?.measurements.map((m) => [m.name, m.value]));
    for (const [name, value] of figures) expect({ name, finite: Number.isFinite(value) && value > 0 }).toEqual({ name, finite: true });
    // These two are counts, not timings: they hold on any machine.
    expect(figures.get('decision records per tool call')).toBe(1);
    expect(figures.get('state changes recorded in their own transaction')).toBe(1);
    expect(run.status).toBe(report?.goals.every((goal) => goal.met) === true ? 0 : 1);
  }, 150_000);
});
