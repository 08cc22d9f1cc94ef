import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mcpServerBinPath } from '../codex/package-assets';

const CLI = join(__dirname, '..', '..', 'dist', 'bin.js');

interface Report {
  benchmark: string;
  measurements: { name: string; value: number; unit: string }[];
  goals: { name: string; measured: number; met: boolean }[];
}

// Timing goals are the benchmark's verdict, not this test's: it proves that the benchmark builds the
// engine-free server, runs the four servers, reports every figure from that one run, computes its
// ratios from them, and cleans its build up.
describe('codex-team bench hooks (built binary, quick)', () => {
  it('measures completions without hooks, with a built-in gate and a command hook, against an engine-free build', () => {
    const run = spawnSync(process.execPath, [CLI, 'bench', '--only', 'hooks', '--quick', '--json'], { encoding: 'utf8', timeout: 240_000 });
    expect([0, 1]).toContain(run.status);
    const { reports } = JSON.parse(run.stdout) as { reports: Report[] };
    const [report] = reports;
    expect(report?.benchmark).toBe('hooks');
    const figures = new Map(report?.measurements.map((m) => [m.name, m.value]));
    for (const [name, value] of figures) if (!name.startsWith('stores on tmpfs')) expect({ name, ok: Number.isFinite(value) && value > 0 }).toEqual({ name, ok: true });
    const today = figures.get('completion p50, today (engine-free build)') ?? Number.NaN;
    expect(figures.get('no hooks vs today (p50)')).toBeCloseTo((figures.get('completion p50, no hooks') ?? 0) / today, 6);
    expect(figures.get('one built-in gate vs today (p50)')).toBeCloseTo((figures.get('completion p50, one built-in gate') ?? 0) / today, 6);
    expect(figures.get('one command hook vs today (p50)')).toBeCloseTo((figures.get('completion p50, one command hook') ?? 0) / today, 6);
    expect(report?.goals.map((goal) => goal.name)).toEqual(['a call with no hook configured vs a server without the engine']);
    expect(run.status).toBe(report?.goals.every((goal) => goal.met) === true ? 0 : 1);
    const dist = join(dirname(mcpServerBinPath()), '..', 'dist');
    expect(existsSync(dist) && readdirSync(dist).filter((entry) => entry.startsWith('hooks-free-'))).toEqual([]);
  }, 300_000);
});
