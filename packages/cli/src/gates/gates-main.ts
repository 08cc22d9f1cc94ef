#!/usr/bin/env node
// `npm run gates`: runs the scripted scenarios, compares them with gates/baseline.json and decides.
//   --update --reason TEXT   record this run as the baseline (refused when a quality check fails or dropped)
//   --only a,b               run only these scenarios (the rest of the baseline is not missing)
//   --faults SPEC            test only: faults for the scenarios' servers (CODEX_TEAM_TEST_FAULTS)
//   --json PATH              also write the run and the decision as JSON (release-ready reads it)
// Exit 0 when the gate passes (or the baseline was written), 1 when it fails, 2 on a bad command line.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBaseline, sealBaseline, writeBaseline } from './baseline';
import { decideGate, type GateDecision } from './gate-decision';
import type { ScenarioOutcome } from './gate-measures';
import { readGateProfiles } from './gate-profiles';
import { renderDecision, renderScenario } from './render-gates';
import { SCENARIOS } from './scenarios';

function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        update: { type: 'boolean' },
        reason: { type: 'string' },
        only: { type: 'string' },
        faults: { type: 'string' },
        json: { type: 'string' },
        root: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`gates: USAGE: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const root = values.root ?? process.cwd();
  const baselinePath = join(root, 'gates', 'baseline.json');
  const profiles = readGateProfiles(join(root, 'gates', 'profiles.json'));
  const only = values.only?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = (only ?? []).filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`gates: USAGE: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((scenario) => scenario.name).join(', ')})\n`);
    return 2;
  }
  if (values.update === true && (values.reason === undefined || values.reason.trim() === '')) {
    process.stderr.write('gates: USAGE: --update needs --reason TEXT (why the baseline changes)\n');
    return 2;
  }
  const chosen = SCENARIOS.filter((scenario) => only === undefined || only.includes(scenario.name));
  const started = Date.now();
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of chosen) {
    process.stderr.write(`gates: running ${scenario.name}: ${scenario.summary}\n`);
    outcomes.push(await scenario.run({ faults: values.faults, progress: (line) => process.stderr.write(`  ${line}\n`) }));
  }
  const wallMs = Date.now() - started;
  const state = readBaseline(baselinePath);
  const runs = outcomes.map((outcome) => ({ scenario: outcome.scenario, profile: outcome.profile, measures: outcome.measures }));
  const decision: GateDecision = decideGate({ baseline: state, runs, profiles, partial: only !== undefined });
  const baseline = state.kind === 'missing' ? null : state.baseline;
  for (const outcome of outcomes) process.stdout.write(`${renderScenario(outcome, baseline, decision)}\n\n`);
  process.stdout.write(`${renderDecision(decision)}\n`);
  process.stdout.write(`gates: ${outcomes.length} scenarios in ${(wallMs / 1000).toFixed(1)} s\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ wall_ms: wallMs, outcomes, decision }, null, 2)}\n`);

  if (values.update !== true) return decision.verdict === 'pass' ? 0 : 1;
  // An update accepts cost changes and a scenario's changed checks with a reason; it never records
  // a failing check or fewer tasks done with evidence.
  const worse = decision.findings.filter(
    (finding) => finding.failed && (finding.rule === 'quality.check' || (finding.rule === 'quality.dropped' && finding.measure === 'tasks_done_with_evidence')),
  );
  if (worse.length > 0) {
    process.stdout.write(`gates: baseline NOT updated: ${worse[0]?.rule ?? ''} (worse quality is never recorded)\n`);
    return 1;
  }
  if (only !== undefined) {
    process.stdout.write('gates: baseline NOT updated: --update records a full run (leave out --only)\n');
    return 1;
  }
  const scenarios = Object.fromEntries(outcomes.map((outcome) => [outcome.scenario, { profile: outcome.profile, measures: outcome.measures }]));
  const commit = commitOf(root);
  writeBaseline(baselinePath, sealBaseline({ version: 1, commit, reason: values.reason ?? '', scenarios }));
  process.stdout.write(`gates: baseline written to gates/baseline.json (commit ${commit}): ${values.reason ?? ''}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`gates: INTERNAL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
