import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TeamError } from '@codex-team/contracts';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, median, quantile, type BenchContext, type BenchReport, type Benchmark } from './benchmark';
import { callTool, connectServer } from './mcp-client';

/** The goal: a call with no hook configured costs under 5% more than in a server without the engine. */
const NO_HOOKS_OVERHEAD_GOAL = 1.05;

/** The stubs that replace the engine's two modules in the engine-free build (built beside this file). */
const HOOK_GATE_STUB = join(__dirname, 'hooks-free', 'hook-gate.js');
const HOOK_OPS_STUB = join(__dirname, 'hooks-free', 'hook-ops.js');

interface EsbuildPlugin {
  name: string;
  setup(build: { onResolve(options: { filter: RegExp }, callback: (args: { importer: string }) => { path: string }): void }): void;
}
/** tools/bundle.cjs: the one bundler setting of the shipped bundles. */
interface BundleTool {
  bundle(entry: string, outfile: string, extra: { plugins: EsbuildPlugin[] }): Promise<string>;
}

/**
 * "Today": the same server, built from the same dist by the same bundler settings as the shipped
 * codex-team-mcp (tools/bundle.cjs), but with the hook engine's two seams replaced: mcp-server's
 * createHookGate returns no gate (the tool pipeline skips the hook phase entirely, as before hooks
 * existed) and the store's hook operations apply no built-in gate (completions and claims read
 * nothing for them). The bundle is written beside the shipped one, so it resolves better-sqlite3,
 * migrations and profiles alike, and removed afterwards. The bundler is a dev tool of the
 * repository: `npm run bench` runs from it.
 */
async function buildEngineFree(realBin: string, into: string): Promise<string> {
  // packages/mcp-server/dist/codex-team-mcp.cjs -> the repository's tools/bundle.cjs
  const toolPath = join(dirname(realBin), '..', '..', '..', 'tools', 'bundle.cjs');
  if (!existsSync(toolPath)) throw new TeamError('NOT_FOUND', `the hooks benchmark builds with ${toolPath}: run it from the repository`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev-only tool, loaded only by this benchmark
  const tool = require(toolPath) as BundleTool;
  const stubs: EsbuildPlugin = {
    name: 'codex-team-hooks-free',
    setup(build) {
      build.onResolve({ filter: /^\.\/hooks\/hook-gate$/ }, () => ({ path: HOOK_GATE_STUB }));
      build.onResolve({ filter: /^\.\/(sqlite\/)?hook-ops$/ }, () => ({ path: HOOK_OPS_STUB }));
    },
  };
  const outfile = await tool.bundle(join(dirname(realBin), 'bin.js'), join(into, 'codex-team-mcp-hooks-free.cjs'), { plugins: [stubs] });
  const text = readFileSync(outfile, 'utf8');
  if (text.includes('class HookGate') || text.includes('requireCompletionGates(op, caller, task')) {
    throw new TeamError('INTERNAL', 'the engine-free build still holds the hook engine: the stubs did not replace its modules');
  }
  return outfile;
}

interface Contender {
  label: 'today (engine-free build)' | 'no hooks' | 'one built-in gate' | 'one command hook';
  args: string[];
  profile: string;
  risk: 'low' | 'medium';
  /** Completions name an artifact (the evidence the built-in gate checks). */
  evidence: boolean;
}

interface Prepared {
  contender: Contender;
  client: Client;
  artifactIds: string[];
}

async function prepare(contender: Contender, tasks: number): Promise<Prepared> {
  const { client } = await connectServer(contender.args);
  await callTool(client, 'team_start', { name: 'hooks bench', profile: contender.profile });
  for (let made = 0; made < tasks; made += 1_000) {
    const batch = Math.min(1_000, tasks - made);
    await callTool(client, 'team_task_create', { tasks: Array.from({ length: batch }, (_, i) => ({ title: `t${made + i}`, risk: contender.risk })) });
  }
  if (!contender.evidence) return { contender, client, artifactIds: [] };
  const published = (await callTool(client, 'team_artifact_publish', { name: 'evidence', content: 'checked' }))['artifact'] as { id: string };
  return { contender, client, artifactIds: [published.id] };
}

/** One completion, timed; its claim is made first and not timed. */
async function timedCompletion(prepared: Prepared): Promise<number> {
  const next = (await callTool(prepared.client, 'team_task_next', {}))['claim'] as { task: { id: string }; fence: number } | null;
  if (next === null) throw new TeamError('INTERNAL', `${prepared.contender.label}: no task left to claim`);
  const started = performance.now();
  await callTool(prepared.client, 'team_task_complete', { task_id: next.task.id, fence: next.fence, result: 'done', artifact_ids: prepared.artifactIds });
  return performance.now() - started;
}

function evidenceProfile(builtinProfiles: string): string {
  const text = readFileSync(join(builtinProfiles, 'default.yaml'), 'utf8')
    .replace(/^name: default$/m, 'name: bench-evidence')
    .replace(/^ {2}medium:.*$/m, '  medium: { required_reviews: 0, require_evidence: true, require_tests: false }');
  if (!text.includes('name: bench-evidence') || !text.includes('required_reviews: 0, require_evidence: true, require_tests: false }')) {
    throw new TeamError('INTERNAL', 'could not derive the bench-evidence profile from profiles/default.yaml');
  }
  return text;
}

async function run(context: BenchContext): Promise<BenchReport> {
  // The shipped bundle itself (the bin entry is a shim that loads it), and the build beside it.
  const realBin = join(dirname(mcpServerBinPath()), '..', 'dist', 'codex-team-mcp.cjs');
  const buildDir = join(dirname(realBin), `hooks-free-${process.pid}`);
  mkdirSync(buildDir, { recursive: true });
  const clients: Client[] = [];
  try {
    const engineFree = await buildEngineFree(realBin, buildDir);
    const userProfiles = join(context.workDir, 'profiles');
    mkdirSync(userProfiles, { recursive: true });
    const builtinProfiles = findBuiltinProfilesDir(dirname(realBin));
    writeFileSync(join(userProfiles, 'bench-evidence.yaml'), evidenceProfile(builtinProfiles));
    const hooksFile = join(context.workDir, 'hooks.json');
    writeFileSync(hooksFile, JSON.stringify({ hooks: { PreTaskComplete: [{ hooks: [{ type: 'command', command: 'exit 0', name: 'noop' }] }] } }));
    // The stores live in memory-backed files when the machine has them: with no disk flush in the
    // round trip, the engine's own cost is a larger share of each call (a stricter ratio), and the
    // flush's noise no longer drowns it.
    const storeDir = memoryBackedDir(context.workDir);
    const server = (bin: string, db: string, ...extra: string[]) => [bin, '--db', join(storeDir, db), '--profiles-dir', userProfiles, '--log-level', 'warn', ...extra];
    const contenders: Contender[] = [
      { label: 'today (engine-free build)', args: server(engineFree, 'today.db'), profile: 'default', risk: 'low', evidence: false },
      { label: 'no hooks', args: server(realBin, 'none.db'), profile: 'default', risk: 'low', evidence: false },
      { label: 'one built-in gate', args: server(realBin, 'builtin.db'), profile: 'bench-evidence', risk: 'medium', evidence: true },
      { label: 'one command hook', args: server(realBin, 'command.db', '--hooks', hooksFile), profile: 'default', risk: 'low', evidence: false },
    ];
    const rounds = context.quick ? 60 : 1_500;
    const warmup = Math.ceil(rounds / 10);
    const prepared: Prepared[] = [];
    for (const contender of contenders) {
      const ready = await prepare(contender, rounds + warmup);
      clients.push(ready.client);
      prepared.push(ready);
    }
    context.progress(`${contenders.length} servers ready, ${rounds + warmup} tasks each`);
    const samples = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
    for (let round = 0; round < warmup + rounds; round += 1) {
      // Each round visits every server once, starting from a different one, so drift in machine
      // load and wake-ups falls on all alike.
      for (let i = 0; i < prepared.length; i += 1) {
        const each = prepared[(round + i) % prepared.length] as Prepared;
        const ms = await timedCompletion(each);
        if (round >= warmup) samples.get(each.contender.label)?.push(ms);
      }
    }
    context.progress(`${rounds} timed completions per server`);
    const p50 = (label: Contender['label']): number => median(samples.get(label) ?? []);
    const p99 = (label: Contender['label']): number => quantile(samples.get(label) ?? [], 0.99);
    const today = p50('today (engine-free build)');
    const noHooks = p50('no hooks') / today;
    // The same comparison round by round (both servers called back to back under the same load).
    const todays = samples.get('today (engine-free build)') ?? [];
    const paired = median((samples.get('no hooks') ?? []).map((ms, i) => ms / (todays[i] ?? Number.NaN)));
    return {
      benchmark: 'hooks',
      measurements: [
        ...contenders.flatMap((c) => [
          { name: `completion p50, ${c.label}`, value: p50(c.label), unit: 'ms' },
          { name: `completion p99, ${c.label}`, value: p99(c.label), unit: 'ms' },
        ]),
        { name: 'no hooks vs today (p50)', value: noHooks, unit: 'x' },
        { name: 'no hooks vs today (median of per-round ratios)', value: paired, unit: 'x' },
        { name: 'stores on tmpfs (no disk flush)', value: storeDir === context.workDir ? 0 : 1, unit: 'yes=1' },
        { name: 'one built-in gate vs today (p50)', value: p50('one built-in gate') / today, unit: 'x' },
        { name: 'one command hook vs today (p50)', value: p50('one command hook') / today, unit: 'x' },
      ],
      goals: [benchGoal('a call with no hook configured vs a server without the engine', noHooks, 'at_most', NO_HOOKS_OVERHEAD_GOAL, 'x')],
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    rmSync(buildDir, { recursive: true, force: true });
    rmSync(join('/dev/shm', `codex-team-bench-hooks-${process.pid}`), { recursive: true, force: true });
  }
}

/** A directory on /dev/shm (tmpfs) for this run's stores, else one in `fallback`. */
function memoryBackedDir(fallback: string): string {
  if (!existsSync('/dev/shm')) return fallback;
  const dir = join('/dev/shm', `codex-team-bench-hooks-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What the hook engine costs a call: none configured, one built-in gate, one command hook, against a build without it. */
export const hooksBenchmark: Benchmark = {
  name: 'hooks',
  summary: 'completion round trips with no hooks, one built-in gate and one command hook, against the same server built without the hook engine',
  run,
};
