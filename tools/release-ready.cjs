#!/usr/bin/env node
// `npm run release-ready`: every check a release needs, in one run, and release/evidence.md written
// from what this run measured (nothing typed in): the full suite (npm run verify, counted from
// Jest's JSON results), the quality-vs-cost gates, npm run bench, docs drift (every generated doc
// is current), `npm pack` of every workspace package, and a smoke run of the packed CLI installed
// from those tarballs in a temporary directory (install into a temporary Codex home, doctor, demo).
// Exits 1 when any step failed; the evidence says which.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'release');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'release-ready-'));
const steps = [];

function run(name, command, args, options = {}) {
  process.stderr.write(`== ${name}: ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: options.cwd ?? root, encoding: 'utf8', env: { ...process.env, ...options.env }, maxBuffer: 256 * 1024 * 1024 });
  const step = { name, ok: result.status === 0, status: result.status, seconds: Math.round((Date.now() - started) / 100) / 10, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  if (!step.ok) process.stderr.write(`${name} failed (exit ${String(result.status)}):\n${step.stderr.slice(-4000)}\n`);
  steps.push(step);
  return step;
}

const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const commit = git(['rev-parse', 'HEAD']);
const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';

// 1. The full suite.
fs.rmSync(path.join(root, 'tmp', 'jest'), { recursive: true, force: true });
const verify = run('full suite (npm run verify)', 'npm', ['run', 'verify']);
const summary = run('test count', process.execPath, [path.join(root, 'tools', 'ci-summary.cjs'), path.join(root, 'tmp', 'jest')]);
const testLine = (summary.stdout.match(/\d+ passed, \d+ failed/) ?? ['no Jest results'])[0];

// 2. The gates, on the build verify made.
const gatesJson = path.join(work, 'gates.json');
const gates = run('gates', process.execPath, [path.join(root, 'packages/cli/dist/gates/gates-main.js'), '--json', gatesJson]);
const gatesReport = fs.existsSync(gatesJson) ? JSON.parse(fs.readFileSync(gatesJson, 'utf8')) : null;

// 3. The benchmarks.
const benchJson = path.join(work, 'bench.json');
const bench = run('bench', process.execPath, [path.join(root, 'packages/cli/dist/bin.js'), 'bench', '--json', '--out', benchJson]);
let benchReports = [];
try {
  benchReports = JSON.parse(fs.readFileSync(benchJson, 'utf8'));
} catch {
  try {
    benchReports = JSON.parse(bench.stdout);
  } catch {
    benchReports = [];
  }
}

// 4. Docs drift: regenerate, then nothing generated may differ from what is committed.
run('generate docs', 'npm', ['run', 'generate']);
const drift = run('docs drift', 'git', ['diff', '--exit-code', '--stat', '--', 'docs', 'packages/contracts/schemas']);

// 5. npm pack of every workspace package (the CLI needs the others), then the packed CLI alone.
const packDir = path.join(work, 'packs');
fs.mkdirSync(packDir);
const packages = fs.readdirSync(path.join(root, 'packages')).filter((name) => fs.existsSync(path.join(root, 'packages', name, 'package.json')));
const packed = [];
for (const name of packages) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8'));
  if (name === 'testkit') continue;
  const step = run(`npm pack ${manifest.name}`, 'npm', ['pack', '--json', '--pack-destination', packDir], { cwd: path.join(root, 'packages', name) });
  if (step.ok) {
    const info = JSON.parse(step.stdout)[0];
    packed.push({ name: manifest.name, version: manifest.version, file: info.filename, size: info.size, unpackedSize: info.unpackedSize, files: info.entryCount });
  }
}
const smokeDir = path.join(work, 'smoke');
fs.mkdirSync(smokeDir);
fs.writeFileSync(path.join(smokeDir, 'package.json'), JSON.stringify({ name: 'smoke', version: '0.0.0', private: true }));
const tarballs = packed.map((entry) => path.join(packDir, entry.file));
const install = run('install the packed CLI', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: smokeDir });
const cli = path.join(smokeDir, 'node_modules', '.bin', 'codex-team');
const home = path.join(smokeDir, 'home');
const codexHome = path.join(home, '.codex');
fs.mkdirSync(codexHome, { recursive: true });
const smokeEnv = { HOME: home, CODEX_HOME: codexHome, CODEX_TEAM_HOME: path.join(home, '.codex-team'), NX_DAEMON: 'false' };
const smoke = install.ok
  ? [
      run('packed CLI: install', cli, ['install', '--codex-home', codexHome, '--db', path.join(home, 'team.db')], { cwd: smokeDir, env: smokeEnv }),
      run('packed CLI: doctor', cli, ['doctor', '--codex-home', codexHome], { cwd: smokeDir, env: smokeEnv }),
      run('packed CLI: demo', cli, ['demo', '--fast', '--json', '--db', path.join(home, 'demo.db')], { cwd: smokeDir, env: smokeEnv }),
    ]
  : [];

// The evidence, from the figures above only.
const versions = {
  node: process.versions.node,
  npm: spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim(),
  codex: JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@openai/codex/package.json'), 'utf8')).version,
  'codex-team': JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version,
};
const ok = (step) => (step === undefined ? 'not run' : step.ok ? 'ok' : `FAILED (exit ${String(step.status)})`);
const lines = [];
lines.push('# Release evidence', '');
lines.push(`Written by \`npm run release-ready\` from the figures of one run; nothing here is typed in.`, '');
lines.push(`- commit: ${commit}${dirty ? ' (with uncommitted changes)' : ''}`);
lines.push(`- versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
lines.push(`- machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg()[0].toFixed(2)} at the end`);
lines.push('', '| step | result | seconds |', '|---|---|---|');
for (const step of steps) lines.push(`| ${step.name} | ${ok(step)} | ${step.seconds} |`);
lines.push('', '## Tests', '', `${testLine} (npm run verify: ${ok(verify)})`);
lines.push('', '## Gates', '');
if (gatesReport !== null) {
  lines.push(`Decision: **${gatesReport.decision.verdict}** by rule \`${gatesReport.decision.rule}\`: ${gatesReport.decision.reason}`, '');
  lines.push(`${gatesReport.outcomes.length} scenarios in ${(gatesReport.wall_ms / 1000).toFixed(1)} s.`, '');
  lines.push('| scenario | checks | tasks with evidence | model tokens | tool calls | bytes read | agent time ms | makespan / critical path |', '|---|---|---|---|---|---|---|---|');
  for (const outcome of gatesReport.outcomes) {
    const checks = Object.values(outcome.measures.quality.checks);
    const c = outcome.measures.cost;
    lines.push(`| ${outcome.scenario} | ${checks.filter(Boolean).length}/${checks.length} | ${outcome.measures.quality.tasks_done_with_evidence} | ${c.model_tokens} | ${c.tool_calls} | ${c.bytes_read} | ${Math.round(c.agent_time_ms)} | ${c.makespan_ratio} |`);
  }
} else {
  lines.push(`The gates did not report (${ok(gates)}).`);
}
lines.push('', '## Benchmarks', '', `npm run bench: ${ok(bench)}. Goals met in this run:`, '');
for (const report of Array.isArray(benchReports) ? benchReports : []) {
  for (const goal of report.goals ?? []) lines.push(`- ${report.benchmark}: ${goal.name}: ${goal.measured} ${goal.unit} (${goal.comparator} ${goal.target}): ${goal.met ? 'met' : 'MISSED'}`);
}
lines.push('', '## Docs', '', `Generated docs current: ${ok(drift)}${drift.ok ? '' : `\n\n\`\`\`\n${drift.stdout.trim()}\n\`\`\``}`);
lines.push('', '## Packages', '', '| package | version | tarball bytes | unpacked bytes | files |', '|---|---|---|---|---|');
for (const entry of packed) lines.push(`| ${entry.name} | ${entry.version} | ${entry.size} | ${entry.unpackedSize} | ${entry.files} |`);
lines.push('', `Packed CLI installed from the tarballs in a temporary directory: ${ok(install)}; ${smoke.map((step) => `${step.name.replace('packed CLI: ', '')} ${ok(step)}`).join(', ') || 'no smoke run'}.`);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'evidence.md'), `${lines.join('\n')}\n`);
fs.rmSync(work, { recursive: true, force: true });
const failed = steps.filter((step) => !step.ok);
process.stdout.write(`release-ready: ${failed.length === 0 ? 'READY' : `NOT READY (${failed.map((step) => step.name).join(', ')})`}; release/evidence.md written\n`);
process.exit(failed.length === 0 ? 0 : 1);
