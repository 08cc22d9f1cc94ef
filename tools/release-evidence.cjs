// The release evidence as a pure function of what one `npm run release-ready` run measured:
// `releaseProblems(run)` names everything that keeps the run from being a release check that
// passed, and `renderEvidence(run)` writes release/evidence.md from the run's figures only (a
// figure the run did not measure is said to be missing, never filled in). The run's shape is
// built by tools/release-ready.cjs; every field is optional where a stage may not have run.
'use strict';

/** The stages of release-ready, in the order they run (`--only` / `--skip` name them). */
const STAGES = ['build', 'suite', 'gates', 'bench', 'docs', 'pack'];

function stepResult(step) {
  return step.ok ? 'ok' : `FAILED (exit ${String(step.status)})`;
}

/** Every bench goal the run missed, as `benchmark: goal: measured unit (comparator target)`. */
function missedGoals(bench) {
  return (bench?.reports ?? []).flatMap((report) =>
    report.goals.filter((goal) => !goal.met).map((goal) => `${report.benchmark}: ${goal.name}: ${goal.measured} ${goal.unit} (${goal.comparator} ${goal.target})`),
  );
}

/**
 * What failed in this run, one line each; empty when nothing did. A failed step, a failed test, a
 * gate that did not pass, a missed bench goal, drifted docs and a smoke demo that did not finish
 * its team are each named. Skipped stages are not failures (see `releaseVerdict`).
 */
function releaseProblems(run) {
  const problems = [];
  for (const step of run.steps.filter((each) => !each.ok)) problems.push(`${step.name}: ${stepResult(step)}`);
  if (run.stages.includes('suite')) {
    if (run.tests === null) problems.push('suite: no Jest results to count');
    else if (run.tests.failed > 0) problems.push(`suite: ${run.tests.failed} tests failed`);
  }
  if (run.stages.includes('gates')) {
    if (run.gates === null) problems.push('gates: no report');
    else if (run.gates.decision.verdict !== 'pass') problems.push(`gates: ${run.gates.decision.verdict} by rule ${run.gates.decision.rule}`);
  }
  if (run.stages.includes('bench')) {
    if (run.bench === null || run.bench.reports.length === 0) problems.push('bench: no report');
    for (const goal of missedGoals(run.bench)) problems.push(`bench goal missed: ${goal}`);
  }
  if (run.stages.includes('docs') && run.drift !== null && run.drift.changed.length > 0) {
    problems.push(`docs drift: ${run.drift.changed.join(', ')} differ from the commit after npm run generate`);
  }
  if (run.stages.includes('pack')) {
    const demo = run.smoke?.demo ?? null;
    if (demo === null) problems.push('pack: the packed CLI\'s demo gave no outcome');
    else if (!demo.finalized || demo.tasks_done !== demo.tasks_total) problems.push(`pack: the packed CLI's demo finished ${demo.tasks_done}/${demo.tasks_total} tasks, finalized: ${String(demo.finalized)}`);
  }
  return problems;
}

function testsSection(run) {
  if (!run.stages.includes('suite')) return ['Not run (stage skipped).'];
  if (run.tests === null) return ['No Jest results were written.'];
  const skipped = run.tests.skipped > 0 ? `, ${run.tests.skipped} skipped` : '';
  return [`${run.tests.passed} passed, ${run.tests.failed} failed${skipped} (\`npm run verify\`: typecheck, lint, build, unit and integration tests; counted from Jest's JSON results).`];
}

function gatesSection(run) {
  if (!run.stages.includes('gates')) return ['Not run (stage skipped).'];
  if (run.gates === null) return ['The gates wrote no report.'];
  const { decision, outcomes, wall_ms: wallMs } = run.gates;
  const lines = [
    `Decision: **${decision.verdict}** by rule \`${decision.rule}\`: ${decision.reason}`,
    '',
    `${outcomes.length} scenarios in ${(wallMs / 1000).toFixed(1)} s.`,
    '',
    '| scenario | checks held | tasks done with evidence | model tokens | tool calls | bytes read | agent time ms | makespan / critical path |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const outcome of outcomes) {
    const checks = Object.values(outcome.measures.quality.checks);
    const cost = outcome.measures.cost;
    lines.push(
      `| ${outcome.scenario} | ${checks.filter(Boolean).length}/${checks.length} | ${outcome.measures.quality.tasks_done_with_evidence} | ${cost.model_tokens} | ${cost.tool_calls} | ${cost.bytes_read} | ${Math.round(cost.agent_time_ms)} | ${cost.makespan_ratio} |`,
    );
  }
  const failed = decision.findings.filter((finding) => finding.failed);
  if (failed.length > 0) lines.push('', 'Failed comparisons:', '', ...failed.map((finding) => `- \`${finding.rule}\`: ${finding.text}`));
  return lines;
}

function benchSection(run) {
  if (!run.stages.includes('bench')) return ['Not run (stage skipped).'];
  if (run.bench === null || run.bench.reports.length === 0) return ['The benchmarks wrote no report.'];
  const goals = run.bench.reports.flatMap((report) => report.goals.map((goal) => ({ benchmark: report.benchmark, ...goal })));
  const missed = goals.filter((goal) => !goal.met).length;
  const lines = [
    `${goals.length - missed} of ${goals.length} goals met, ${missed} missed, on a machine with load average ${run.machine.loadBench ?? 'unknown'} when the benchmarks began (figures from a loaded machine are indicative).`,
    '',
    '| benchmark | goal | measured | target | result |',
    '|---|---|---|---|---|',
    ...goals.map((goal) => `| ${goal.benchmark} | ${goal.name} | ${goal.measured} ${goal.unit} | ${goal.comparator === 'at_least' ? '>=' : '<='} ${goal.target} | ${goal.met ? 'met' : '**MISSED**'} |`),
  ];
  if (run.bench.leftOut.length > 0) lines.push('', 'Left out by `npm run bench` itself:', '', ...run.bench.leftOut.map((line) => `- ${line}`));
  return lines;
}

function docsSection(run) {
  if (!run.stages.includes('docs')) return ['Not run (stage skipped).'];
  if (run.drift === null) return ['`npm run generate` did not finish; drift unknown.'];
  return run.drift.changed.length === 0
    ? ['Every generated doc and schema is current (`npm run generate` changed nothing).']
    : ['`npm run generate` changed these files:', '', ...run.drift.changed.map((file) => `- ${file}`)];
}

function packSection(run) {
  if (!run.stages.includes('pack')) return ['Not run (stage skipped).'];
  const lines = ['| package | version | tarball bytes | unpacked bytes | files |', '|---|---|---|---|---|'];
  for (const entry of run.packs) lines.push(`| ${entry.name} | ${entry.version} | ${entry.size} | ${entry.unpackedSize} | ${entry.files} |`);
  const smoke = run.smoke;
  if (smoke === null) return [...lines, '', 'No smoke run.'];
  lines.push('', `The tarballs were installed together into a temporary project (\`npm install\` of all of them), better-sqlite3's native addon ${smoke.sqlite}; then, with a temporary HOME and Codex home and ${smoke.codexOnPath} on the PATH:`, '');
  for (const step of smoke.steps) lines.push(`- \`codex-team ${step.command}\`: ${stepResult(step)} in ${step.seconds} s`);
  const demo = smoke.demo;
  if (demo !== null) {
    lines.push('', `The packed CLI's demo: ${demo.tasks_done}/${demo.tasks_total} tasks done, team ${demo.finalized ? 'finalized' : 'NOT finalized'}, ${demo.teammates} teammates in their own processes, ${(demo.elapsed_ms / 1000).toFixed(1)} s.`);
  }
  return lines;
}

/**
 * `NOT READY` when anything failed, else `PARTIAL RUN` when a stage was skipped (`--only`,
 * `--skip`: a debugging run, no release check), else `READY`.
 */
function releaseVerdict(run) {
  if (releaseProblems(run).length > 0) return 'NOT READY';
  return run.skipped.length > 0 ? 'PARTIAL RUN' : 'READY';
}

function verdictLines(run) {
  const problems = releaseProblems(run);
  const verdict = releaseVerdict(run);
  if (verdict === 'READY') return ['**READY**: every stage ran and passed.'];
  const skipped = run.skipped.length > 0 ? [`- not a release check: stages skipped: ${run.skipped.join(', ')}`] : [];
  return [`**${verdict}**:`, ...problems.map((problem) => `- ${problem}`), ...skipped];
}

/** release/evidence.md for one run, from its measured figures only. */
function renderEvidence(run) {
  const lines = [
    '# Release evidence',
    '',
    'Written by `npm run release-ready` from the figures of one run; nothing here is typed in.',
    '',
    ...verdictLines(run),
    '',
    `- commit: ${run.commit}${run.dirty ? ' (with uncommitted changes)' : ''}`,
    `- versions: ${Object.entries(run.versions).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    `- machine: ${run.machine.cores} cores, ${run.machine.memGiB} GiB, load average ${run.machine.loadStart} at the start and ${run.machine.loadEnd} at the end`,
    `- written: ${run.finishedAt}, after ${Math.round(run.seconds)} s`,
    '',
    '| stage | step | result | seconds |',
    '|---|---|---|---|',
    ...STAGES.flatMap((stage) =>
      run.skipped.includes(stage)
        ? [`| ${stage} | (skipped) | not run | |`]
        : run.steps.filter((step) => step.stage === stage).map((step) => `| ${stage} | ${step.name} | ${stepResult(step)} | ${step.seconds} |`),
    ),
    '',
    '## Tests',
    '',
    ...testsSection(run),
    '',
    '## Gates',
    '',
    ...gatesSection(run),
    '',
    '## Benchmarks',
    '',
    ...benchSection(run),
    '',
    '## Generated docs',
    '',
    ...docsSection(run),
    '',
    '## Packages',
    '',
    ...packSection(run),
  ];
  return `${lines.join('\n')}\n`;
}

module.exports = { STAGES, releaseProblems, releaseVerdict, renderEvidence };
