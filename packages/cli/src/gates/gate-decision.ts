import type { BaselineState } from './baseline';
import { COST_MEASURES, type CostMeasure, type ScenarioMeasures } from './gate-measures';
import { allowanceOf, type GateProfiles } from './gate-profiles';

// The gate's decision: a pure function of the baseline, the run's measures and the profiles.
// Rules, in the order they decide (the first that fails is the decision's rule):
//   baseline.missing        there is no baseline to compare with
//   baseline.modified       the baseline was not written by --update (checksum) or cannot be read
//   coverage.unknown        a scenario ran that the baseline does not have (record it with --update)
//   coverage.missing        a scenario of the baseline did not run (a full run only)
//   quality.check           a quality check failed in this run
//   quality.dropped         a quality count fell below the baseline, or a baseline check disappeared
//   cost.tolerance          a cost measure rose above baseline * (1 + tolerance) + slack
//   gate.pass               none of the above

export type GateRule =
  | 'baseline.missing'
  | 'baseline.modified'
  | 'coverage.unknown'
  | 'coverage.missing'
  | 'quality.check'
  | 'quality.dropped'
  | 'cost.tolerance'
  | 'gate.pass';

const RULE_ORDER: readonly GateRule[] = [
  'baseline.missing',
  'baseline.modified',
  'coverage.unknown',
  'coverage.missing',
  'quality.check',
  'quality.dropped',
  'cost.tolerance',
];

/** One comparison the gate made, failed or not. */
export interface GateFinding {
  rule: GateRule;
  scenario: string | null;
  measure: string | null;
  failed: boolean;
  baseline: number | null;
  current: number | null;
  /** The highest value allowed (cost), or the lowest (quality count). */
  limit: number | null;
  text: string;
}

export interface GateDecision {
  verdict: 'pass' | 'fail';
  /** The rule that made the decision: the first failing rule, else `gate.pass`. */
  rule: GateRule;
  reason: string;
  /** Every comparison, failed first within rule order. */
  findings: GateFinding[];
}

export interface GateRun {
  scenario: string;
  profile: string;
  measures: ScenarioMeasures;
}

export interface GateInput {
  baseline: BaselineState;
  runs: readonly GateRun[];
  profiles: GateProfiles;
  /** Only some scenarios ran (`--only`): scenarios of the baseline that did not run are not missing. */
  partial: boolean;
}

const fmt = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));

function costFindings(run: GateRun, before: ScenarioMeasures, profiles: GateProfiles): GateFinding[] {
  return COST_MEASURES.map((measure: CostMeasure) => {
    const allowance = allowanceOf(profiles, run.profile, measure);
    const baseline = before.cost[measure];
    const current = run.measures.cost[measure];
    if (allowance === undefined) {
      return { rule: 'cost.tolerance', scenario: run.scenario, measure, failed: true, baseline, current, limit: null, text: `profile ${run.profile} is not in gates/profiles.json` };
    }
    const limit = baseline * (1 + allowance.tolerance) + allowance.slack;
    const failed = current > limit;
    const change = baseline === 0 ? (current === 0 ? 0 : Infinity) : (current - baseline) / baseline;
    const text = `${measure} ${fmt(baseline)} -> ${fmt(current)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%, allowed up to ${fmt(limit)}: +${(allowance.tolerance * 100).toFixed(0)}%${allowance.slack > 0 ? ` + ${fmt(allowance.slack)}` : ''})`;
    return { rule: 'cost.tolerance', scenario: run.scenario, measure, failed, baseline, current, limit, text };
  });
}

function qualityFindings(run: GateRun, before: ScenarioMeasures | null): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const [check, held] of Object.entries(run.measures.quality.checks)) {
    findings.push({ rule: 'quality.check', scenario: run.scenario, measure: check, failed: !held, baseline: null, current: held ? 1 : 0, limit: 1, text: `${check}: ${held ? 'holds' : 'FAILS'}` });
  }
  if (before === null) return findings;
  const was = before.quality.tasks_done_with_evidence;
  const now = run.measures.quality.tasks_done_with_evidence;
  findings.push({
    rule: 'quality.dropped',
    scenario: run.scenario,
    measure: 'tasks_done_with_evidence',
    failed: now < was,
    baseline: was,
    current: now,
    limit: was,
    text: `tasks done with resolvable evidence ${was} -> ${now}`,
  });
  for (const check of Object.keys(before.quality.checks)) {
    if (!(check in run.measures.quality.checks)) {
      findings.push({ rule: 'quality.dropped', scenario: run.scenario, measure: check, failed: true, baseline: 1, current: null, limit: 1, text: `${check}: checked by the baseline, no longer checked` });
    }
  }
  return findings;
}

/** Decides the gate. Pure: same input, same decision. */
export function decideGate(input: GateInput): GateDecision {
  const findings: GateFinding[] = [];
  const state = input.baseline;
  if (state.kind === 'missing') {
    findings.push({ rule: 'baseline.missing', scenario: null, measure: null, failed: true, baseline: null, current: null, limit: null, text: 'no gates/baseline.json: run npm run gates -- --update --reason TEXT' });
  } else if (state.kind === 'modified') {
    findings.push({ rule: 'baseline.modified', scenario: null, measure: null, failed: true, baseline: null, current: null, limit: null, text: `gates/baseline.json ${state.problem}` });
  }
  const scenarios = state.kind === 'missing' || state.baseline === null ? {} : state.baseline.scenarios;
  const ran = new Set(input.runs.map((run) => run.scenario));
  for (const run of input.runs) {
    const before = scenarios[run.scenario];
    if (state.kind !== 'missing' && before === undefined) {
      findings.push({ rule: 'coverage.unknown', scenario: run.scenario, measure: null, failed: true, baseline: null, current: null, limit: null, text: `${run.scenario} is not in the baseline: record it with --update` });
    }
    findings.push(...qualityFindings(run, before?.measures ?? null));
    if (before !== undefined) findings.push(...costFindings(run, before.measures, input.profiles));
  }
  if (!input.partial) {
    for (const name of Object.keys(scenarios).filter((scenario) => !ran.has(scenario))) {
      findings.push({ rule: 'coverage.missing', scenario: name, measure: null, failed: true, baseline: null, current: null, limit: null, text: `${name} is in the baseline but did not run` });
    }
  }
  const order = (finding: GateFinding): number => RULE_ORDER.indexOf(finding.rule) * 2 + (finding.failed ? 0 : 1);
  findings.sort((a, b) => order(a) - order(b));
  const first = findings.find((finding) => finding.failed);
  if (first === undefined) {
    return { verdict: 'pass', rule: 'gate.pass', reason: 'every quality check holds, no quality count dropped, every cost within its tolerance', findings };
  }
  const failed = findings.filter((finding) => finding.failed && finding.rule === first.rule).length;
  const where = first.scenario === null ? '' : `${first.scenario}: `;
  return { verdict: 'fail', rule: first.rule, reason: `${where}${first.text}${failed > 1 ? ` (and ${failed - 1} more under ${first.rule})` : ''}`, findings };
}
