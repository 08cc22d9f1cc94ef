#!/usr/bin/env node
// `npm run release-ready`: every check a release needs, in one run, and release/evidence.md written
// from what this run measured (nothing typed in, tools/release-evidence.cjs). Stages, in order:
//   build   npm run build (the later stages run on it; a cache hit when nothing changed)
//   suite   npm run verify without the Nx cache (typecheck, lint, build, unit + integration tests),
//           counted from Jest's JSON results
//   gates   the quality-vs-cost gates (docs/gates.md) against gates/baseline.json
//   bench   every benchmark (`codex-team bench`): a missed goal fails the run
//   docs    docs drift: npm run generate, then no generated doc or schema may differ
//   pack    npm pack of the CLI and every workspace package it needs, all tarballs installed
//           together into a temporary project, then the packed CLI with a temporary HOME and
//           Codex home: install, doctor, demo --fast
// Options: --only STAGE[,STAGE] or --skip STAGE[,STAGE] (debugging: the evidence then says PARTIAL
// RUN), --out FILE (default release/evidence.md). Each step's output is in tmp/release-ready/.
// Exits 1 when anything failed (the evidence and the last line say what), 2 on a bad command
// line, 0 otherwise.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { STAGES, releaseProblems, releaseVerdict, renderEvidence } = require('./release-evidence.cjs');

const root = path.resolve(__dirname, '..');
const started = Date.now();

function usage(message) {
  process.stderr.write(`release-ready: USAGE: ${message}\n`);
  process.exit(2);
}

function stageList(text, option) {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !STAGES.includes(name));
  if (names.length === 0 || unknown.length > 0) usage(`--${option}: unknown stage ${JSON.stringify(unknown[0] ?? text)} (stages: ${STAGES.join(', ')})`);
  return names;
}

let options;
try {
  ({ values: options } = parseArgs({ args: process.argv.slice(2), options: { only: { type: 'string' }, skip: { type: 'string' }, out: { type: 'string' } }, strict: true }));
} catch (error) {
  usage(error.message);
}
if (options.only !== undefined && options.skip !== undefined) usage('give --only or --skip, not both');
const only = options.only === undefined ? STAGES : stageList(options.only, 'only');
const skip = options.skip === undefined ? [] : stageList(options.skip, 'skip');
const stages = STAGES.filter((stage) => only.includes(stage) && !skip.includes(stage));
const outFile = path.resolve(options.out ?? path.join(root, 'release', 'evidence.md'));

const logs = path.join(root, 'tmp', 'release-ready');
fs.rmSync(logs, { recursive: true, force: true });
fs.mkdirSync(logs, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'release-ready-'));
const steps = [];

/**
 * Runs one step to completion, its stdout and stderr written to tmp/release-ready/NN-name.{out,err}
 * (follow a long one with tail -f) and read back for the figures.
 */
function run(stage, name, command, args, { cwd = root, env = {} } = {}) {
  const base = path.join(logs, `${String(steps.length + 1).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
  process.stderr.write(`== ${stage}: ${name} (${command} ${args.join(' ')}; output in ${path.relative(root, base)}.out/.err)\n`);
  const stepStarted = Date.now();
  const out = fs.openSync(`${base}.out`, 'w');
  const err = fs.openSync(`${base}.err`, 'w');
  const result = spawnSync(command, args, { cwd, env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', ...env }, stdio: ['ignore', out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  const step = {
    stage,
    name,
    ok: result.status === 0,
    status: result.status ?? result.signal ?? String(result.error),
    seconds: Math.round((Date.now() - stepStarted) / 100) / 10,
    stdout: fs.readFileSync(`${base}.out`, 'utf8'),
    stderr: fs.readFileSync(`${base}.err`, 'utf8'),
  };
  process.stderr.write(`   ${step.ok ? 'ok' : `FAILED (exit ${String(step.status)})`} in ${step.seconds} s\n`);
  if (!step.ok) process.stderr.write(`${step.stderr.slice(-3000)}${step.stdout.slice(-1500)}\n`);
  steps.push(step);
  return step;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const cliBin = path.join(root, 'packages', 'cli', 'dist', 'bin.js');
const figures = { tests: null, gates: null, bench: null, drift: null, packs: [], smoke: null, loadBench: null };
const commit = git(['rev-parse', 'HEAD']);
const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
const loadStart = os.loadavg()[0].toFixed(2);

const stageRunners = {
  build() {
    run('build', 'npm run build', 'npm', ['run', 'build']);
  },

  suite() {
    fs.rmSync(path.join(root, 'tmp', 'jest'), { recursive: true, force: true });
    // Without the Nx cache: the evidence counts tests that ran in this run, not cached results.
    run('suite', 'npm run verify', 'npm', ['run', 'verify'], { env: { NX_SKIP_NX_CACHE: 'true' } });
    const summary = spawnSync(process.execPath, [path.join(root, 'tools', 'ci-summary.cjs'), path.join(root, 'tmp', 'jest')], { encoding: 'utf8' });
    const counted = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(summary.stdout);
    const hasResults = fs.existsSync(path.join(root, 'tmp', 'jest')) && fs.readdirSync(path.join(root, 'tmp', 'jest')).some((file) => file.endsWith('.json'));
    figures.tests = counted === null || !hasResults ? null : { passed: Number(counted[1]), failed: Number(counted[2]), skipped: Number(counted[3] ?? 0) };
  },

  gates() {
    const json = path.join(work, 'gates.json');
    run('gates', 'npm run gates', process.execPath, [path.join(root, 'packages', 'cli', 'dist', 'gates', 'gates-main.js'), '--json', json]);
    figures.gates = readJson(json);
  },

  bench() {
    const json = path.join(work, 'bench.json');
    figures.loadBench = os.loadavg()[0].toFixed(2);
    const step = run('bench', 'npm run bench', process.execPath, [cliBin, 'bench', '--json', '--out', json]);
    const document = readJson(json);
    const leftOut = [...step.stderr.matchAll(/^bench (\S+): left out, (.*)$/gm)].map((match) => `${match[1]}: ${match[2]}`);
    figures.bench = document === null ? null : { reports: document.reports, leftOut };
  },

  docs() {
    const generate = run('docs', 'npm run generate', 'npm', ['run', 'generate']);
    // Untracked files count too: a newly generated doc that was never committed is drift.
    const status = git(['status', '--porcelain', '--', 'docs', 'packages/contracts/schemas']);
    figures.drift = generate.ok ? { changed: status === '' ? [] : status.split('\n').map((line) => line.slice(3)) } : null;
  },

  pack() {
    packTarballs();
    if (figures.packs.length > 0 && steps.every((step) => step.stage !== 'pack' || step.ok)) smokeRun();
  },
};

/** The CLI and every workspace package it needs at run time (their `dependencies`, transitively). */
function runtimePackages() {
  const dirs = new Map();
  for (const dir of fs.readdirSync(path.join(root, 'packages'))) {
    const manifest = readJson(path.join(root, 'packages', dir, 'package.json'));
    if (manifest !== null) dirs.set(manifest.name, { dir, manifest });
  }
  const needed = [];
  const visit = (name) => {
    if (needed.some((entry) => entry.manifest.name === name)) return;
    const entry = dirs.get(name);
    needed.push(entry);
    for (const dependency of Object.keys(entry.manifest.dependencies ?? {})) if (dirs.has(dependency)) visit(dependency);
  };
  visit('@codex-team/cli');
  return needed;
}

function packTarballs() {
  const packDir = path.join(work, 'packs');
  fs.mkdirSync(packDir);
  for (const { dir, manifest } of runtimePackages()) {
    const step = run('pack', `npm pack ${manifest.name}`, 'npm', ['pack', '--json', '--pack-destination', packDir], { cwd: path.join(root, 'packages', dir) });
    const info = step.ok ? JSON.parse(step.stdout)[0] : null;
    if (info !== null) figures.packs.push({ name: manifest.name, version: manifest.version, path: path.join(packDir, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.entryCount });
  }
}

const FLAKY_REGISTRY = /ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up|network/i;

/** Installs the tarballs into a temporary project, then runs the packed CLI there. */
function smokeRun() {
  const project = path.join(work, 'smoke');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'release-smoke', version: '0.0.0', private: true }));
  // All tarballs in one install: each @codex-team/* dependency ("*") resolves to its tarball at
  // the project's top level instead of the registry, where these packages are not published.
  const tarballs = figures.packs.map((entry) => entry.path);
  let install;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    if (attempt > 1) steps.pop(); // a registry hiccup retried is not a failure of the package
    install = run('pack', `npm install of the ${tarballs.length} tarballs${attempt > 1 ? ` (attempt ${attempt})` : ''}`, 'npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: project });
    if (install.ok || !FLAKY_REGISTRY.test(install.stderr)) break;
  }
  const codexVersion = readJson(path.join(root, 'node_modules', '@openai', 'codex', 'package.json'))?.version ?? 'unknown';
  const smoke = { sqlite: 'is missing', codexOnPath: `the checkout's codex ${codexVersion}`, steps: [], demo: null };
  figures.smoke = smoke;
  if (!install.ok) return;
  const sqliteDir = path.join(project, 'node_modules', 'better-sqlite3');
  const sqliteVersion = readJson(path.join(sqliteDir, 'package.json'))?.version ?? 'unknown';
  if (fs.existsSync(path.join(sqliteDir, 'build', 'Release', 'obj.target'))) smoke.sqlite = `(better-sqlite3 ${sqliteVersion}) was compiled from source by node-gyp (no prebuilt binary was fetched)`;
  else if (fs.existsSync(path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node'))) smoke.sqlite = `(better-sqlite3 ${sqliteVersion}) came prebuilt (prebuild-install)`;

  // A user's machine has Codex on the PATH: here the checkout's own @openai/codex, linked alone
  // into a folder of its own (the checkout's node_modules/.bin would also offer its codex-team).
  const pathBin = path.join(work, 'path-bin');
  fs.mkdirSync(pathBin);
  fs.symlinkSync(path.join(root, 'node_modules', '@openai', 'codex', 'bin', 'codex.js'), path.join(pathBin, 'codex'));
  const home = path.join(work, 'home');
  const codexHome = path.join(home, '.codex');
  fs.mkdirSync(codexHome, { recursive: true });
  const env = { HOME: home, CODEX_HOME: codexHome, CODEX_TEAM_HOME: path.join(home, '.codex-team'), PATH: `${pathBin}${path.delimiter}${process.env.PATH ?? ''}` };
  const cli = path.join(project, 'node_modules', '.bin', 'codex-team');
  const commands = [
    ['install', '--codex-home', codexHome, '--db', path.join(home, 'team.db')],
    ['doctor', '--codex-home', codexHome],
    ['demo', '--fast', '--json', '--db', path.join(home, 'demo.db')],
  ];
  for (const args of commands) {
    const step = run('pack', `packed CLI: ${args[0]}`, cli, args, { cwd: project, env });
    smoke.steps.push({ command: args.map((arg) => (arg.startsWith(work) ? `$TMP/${path.relative(work, arg)}` : arg)).join(' '), ok: step.ok, status: step.status, seconds: step.seconds });
    if (args[0] === 'demo') {
      const outcome = (() => {
        try {
          return JSON.parse(step.stdout);
        } catch {
          return null;
        }
      })();
      if (outcome !== null) {
        smoke.demo = { finalized: outcome.finalized, tasks_done: outcome.tasks_done, tasks_total: outcome.tasks_total, teammates: outcome.teammates.length, elapsed_ms: outcome.elapsed_ms };
      }
    }
  }
}

for (const stage of stages) stageRunners[stage]();

const packageVersion = (dir) => readJson(path.join(root, dir, 'package.json'))?.version ?? 'missing';
const runResult = {
  commit,
  dirty,
  stages,
  skipped: STAGES.filter((stage) => !stages.includes(stage)),
  versions: {
    node: process.versions.node,
    npm: spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    codex: packageVersion('node_modules/@openai/codex'),
    'codex-team': packageVersion('.'),
  },
  machine: {
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    loadStart,
    loadEnd: os.loadavg()[0].toFixed(2),
    loadBench: figures.loadBench,
  },
  finishedAt: new Date().toISOString(),
  seconds: (Date.now() - started) / 1000,
  steps: steps.map(({ stage, name, ok, status, seconds }) => ({ stage, name, ok, status, seconds })),
  tests: figures.tests,
  gates: figures.gates,
  bench: figures.bench,
  drift: figures.drift,
  packs: figures.packs.map(({ name, version, size, unpackedSize, files }) => ({ name, version, size, unpackedSize, files })),
  smoke: figures.smoke,
};
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, renderEvidence(runResult));
const problems = releaseProblems(runResult);
if (problems.length === 0) fs.rmSync(work, { recursive: true, force: true });
else process.stderr.write(`release-ready: the packs and the smoke project are kept in ${work}\n`);
for (const problem of problems) process.stdout.write(`release-ready: ${problem}\n`);
process.stdout.write(`release-ready: ${releaseVerdict(runResult)} in ${Math.round(runResult.seconds)} s; evidence in ${path.relative(root, outFile).startsWith('..') ? outFile : path.relative(root, outFile)}\n`);
process.exit(problems.length === 0 ? 0 : 1);
