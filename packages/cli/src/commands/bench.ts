import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { UsageError } from '../errors';
import type { BenchReport, Benchmark } from '../bench/benchmark';
import { BENCHMARKS } from '../bench/index';
import { renderBenchReport, renderBenchVerdict } from '../bench/render-report';
import { existsSync } from 'node:fs';
import { flagOption, stringOption, type Command } from './command';

function selectBenchmarks(
  only: string | undefined,
  all: readonly Benchmark[],
  env: Readonly<Record<string, string | undefined>>,
  note: (line: string) => void,
): Benchmark[] {
  const runnable = (bench: Benchmark): boolean => bench.requiresEnv === undefined || (env[bench.requiresEnv.name] ?? '') !== '';
  if (only === undefined) {
    for (const bench of all.filter((each) => !runnable(each))) note(`bench ${bench.name}: left out, $${bench.requiresEnv?.name ?? ''} is not set\n`);
    return all.filter(runnable);
  }
  const names = only.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !all.some((bench) => bench.name === name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`unknown benchmark ${JSON.stringify(unknown[0] ?? only)}; known: ${all.map((b) => b.name).join(', ')}`);
  }
  const selected = all.filter((bench) => names.includes(bench.name));
  const blocked = selected.find((bench) => !runnable(bench));
  if (blocked !== undefined) {
    const { name, meaning } = blocked.requiresEnv ?? { name: '', meaning: '' };
    throw new TeamError('INVALID_INPUT', `benchmark ${blocked.name} needs $${name}: ${meaning}`);
  }
  return selected;
}

/**
 * `codex-team bench`: runs the benchmarks, each reporting its figures as ratios against a baseline
 * measured in the same run, and exits 1 when any goal was missed (the benchmark gate).
 */
export function benchCommand(benchmarks: readonly Benchmark[] = BENCHMARKS): Command {
  return {
    name: 'bench',
    summary: 'Measure startup, throughput and scale against baselines from the same run',
    synopsis: '[--only NAME[,NAME]] [--quick] [--json] [--out FILE] [--baseline-server BIN_JS]',
    details: [
      `--only NAMES  run only these benchmarks (${benchmarks.map((b) => b.name).join(', ')})`,
      '--quick       fewer repetitions: a smoke run, noisier figures',
      '--json        print the reports as JSON instead of text',
      '--out FILE    also write the JSON reports to FILE',
      '--baseline-server BIN_JS  another build\'s codex-team-mcp (its dist/bin.js) to measure beside this one',
      '              (tool-surface, orchestration-bytes: ratios and the goals against it)',
      'Exits 1 when any goal was missed. Run it on an otherwise idle machine.',
    ],
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      'baseline-server': { type: 'string' },
    },
    async run(args, io) {
      const selected = selectBenchmarks(stringOption(args.values, 'only'), benchmarks, io.env, (line) => io.stderr.write(line));
      const quick = flagOption(args.values, 'quick');
      const baseline = stringOption(args.values, 'baseline-server');
      const baselineServer = baseline === undefined ? undefined : resolve(io.cwd, baseline);
      if (baselineServer !== undefined && !existsSync(baselineServer)) {
        throw new TeamError('NOT_FOUND', `no baseline server at ${baselineServer} (give the dist/bin.js of a built codex-team-mcp)`);
      }
      const json = flagOption(args.values, 'json');
      const reports: BenchReport[] = [];
      for (const bench of selected) {
        const workDir = mkdtempSync(join(tmpdir(), `codex-team-bench-${bench.name}-`));
        try {
          io.stderr.write(`bench ${bench.name}: running${quick ? ' (quick)' : ''}\n`);
          const report = await bench.run({
            quick,
            workDir,
            env: io.env,
            progress: (line) => io.stderr.write(`bench ${bench.name}: ${line}\n`),
            ...(baselineServer === undefined ? {} : { baselineServer }),
          });
          reports.push(report);
          if (!json) io.stdout.write(renderBenchReport(report));
        } finally {
          rmSync(workDir, { recursive: true, force: true });
        }
      }
      const document = `${JSON.stringify({ reports }, null, 2)}\n`;
      const out = stringOption(args.values, 'out');
      if (out !== undefined) writeFileSync(resolve(io.cwd, out), document);
      io.stdout.write(json ? document : renderBenchVerdict(reports));
      return reports.every((report) => report.goals.every((goal) => goal.met)) ? 0 : 1;
    },
  };
}
