import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSink, type CliIo } from '../cli-io';
import { benchGoal, median, quantile, type Benchmark, type BenchContext } from '../bench/benchmark';
import { runCli } from '../run-cli';
import { benchCommand } from './bench';

function fakeIo(cwd: string): CliIo & { stdout: BufferSink; stderr: BufferSink } {
  return {
    stdout: new BufferSink(),
    stderr: new BufferSink(),
    env: {},
    homeDir: '/home/nobody',
    cwd,
    execPath: '/usr/bin/node',
    nodeVersion: '20.20.0',
    stdoutIsTerminal: false,
  };
}

/** A benchmark whose figure is given, so the gate's verdict is known in advance. */
function fixedBenchmark(name: string, measured: number, seen: BenchContext[] = []): Benchmark {
  return {
    name,
    summary: `reports ${measured}`,
    run(context) {
      seen.push(context);
      return Promise.resolve({
        benchmark: name,
        measurements: [{ name: 'ratio', value: measured, unit: 'x' }],
        goals: [benchGoal('ratio within 2x', measured, 'at_most', 2, 'x')],
      });
    },
  };
}

describe('codex-team bench', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-bench-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and says so when every goal is met', async () => {
    const io = fakeIo(dir);
    const code = await runCli(['bench'], io, [benchCommand([fixedBenchmark('fast', 1.5)])]);
    expect(code).toBe(0);
    expect(io.stdout.text()).toContain('met     ratio within 2x: 1.50 x (goal <= 2.00 x)');
    expect(io.stdout.text().trimEnd().split('\n').pop()).toBe('bench: 1 goals met, 0 missed');
  });

  it('exits 1 when any goal is missed: the benchmark gate', async () => {
    const io = fakeIo(dir);
    const code = await runCli(['bench'], io, [benchCommand([fixedBenchmark('fast', 1.5), fixedBenchmark('slow', 2.5)])]);
    expect(code).toBe(1);
    expect(io.stdout.text()).toContain('MISSED  ratio within 2x: 2.50 x (goal <= 2.00 x)');
    expect(io.stdout.text().trimEnd().split('\n').pop()).toBe('bench: 1 goals met, 1 missed');
  });

  it('runs only the benchmarks named, in quick mode, each in its own work directory that is removed after', async () => {
    const seen: BenchContext[] = [];
    const io = fakeIo(dir);
    const benches = [fixedBenchmark('a', 1, seen), fixedBenchmark('b', 1, seen), fixedBenchmark('c', 1, seen)];
    const code = await runCli(['bench', '--only', 'c,a', '--quick', '--json', '--out', 'reports.json'], io, [benchCommand(benches)]);
    expect(code).toBe(0);
    expect(seen.map((context) => context.quick)).toEqual([true, true]);
    expect(seen.every((context) => !existsSync(context.workDir))).toBe(true);
    const printed = JSON.parse(io.stdout.text()) as { reports: { benchmark: string }[] };
    expect(printed.reports.map((report) => report.benchmark)).toEqual(['a', 'c']);
    expect(JSON.parse(readFileSync(join(dir, 'reports.json'), 'utf8'))).toEqual(printed);
  });

  it('leaves out a benchmark whose server variable is unset from a full run, and refuses it by name', async () => {
    const seen: BenchContext[] = [];
    const needsDb: Benchmark = { ...fixedBenchmark('db', 1, seen), requiresEnv: { name: 'BENCH_DB_URL', meaning: 'a database to scratch in' } };
    const io = fakeIo(dir);
    expect(await runCli(['bench', '--json'], io, [benchCommand([fixedBenchmark('a', 1, seen), needsDb])])).toBe(0);
    expect(io.stderr.text()).toContain('bench db: left out, $BENCH_DB_URL is not set');
    expect(seen).toHaveLength(1);
    const named = fakeIo(dir);
    expect(await runCli(['bench', '--only', 'db'], named, [benchCommand([needsDb])])).toBe(1);
    expect(named.stderr.text()).toContain('INVALID_INPUT: benchmark db needs $BENCH_DB_URL: a database to scratch in');
    expect(seen).toHaveLength(1);
    const given = { ...fakeIo(dir), env: { BENCH_DB_URL: 'postgres://x' } };
    expect(await runCli(['bench', '--only', 'db', '--json'], given, [benchCommand([needsDb])])).toBe(0);
    expect(seen.map((context) => context.env['BENCH_DB_URL'])).toEqual([undefined, 'postgres://x']);
  });

  it('refuses an unknown benchmark name without running anything', async () => {
    const seen: BenchContext[] = [];
    const io = fakeIo(dir);
    const code = await runCli(['bench', '--only', 'nope'], io, [benchCommand([fixedBenchmark('a', 1, seen)])]);
    expect(code).toBe(2);
    expect(io.stderr.text()).toBe('codex-team bench: USAGE: unknown benchmark "nope"; known: a\n');
    expect(seen).toEqual([]);
  });

  it('computes nearest-rank quantiles and goal verdicts from the figures', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(median(samples)).toBe(3);
    expect(quantile(samples, 0.99)).toBe(5);
    expect(quantile(samples, 0)).toBe(1);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(benchGoal('g', 400, 'at_least', 400, 'pairs/s').met).toBe(true);
    expect(benchGoal('g', 399, 'at_least', 400, 'pairs/s').met).toBe(false);
    expect(benchGoal('g', 15.1, 'at_most', 15, 'ms').met).toBe(false);
  });
});
