import type { Baseline } from './baseline';
import type { GateDecision } from './gate-decision';
import { COST_MEASURES, type ScenarioOutcome } from './gate-measures';

const fmt = (value: number | undefined): string => (value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toFixed(2));

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
}

/** One scenario's table: quality then cost, this run against the baseline, with each verdict. */
export function renderScenario(outcome: ScenarioOutcome, baseline: Baseline | null, decision: GateDecision): string {
  const before = baseline?.scenarios[outcome.scenario]?.measures;
  const findings = decision.findings.filter((finding) => finding.scenario === outcome.scenario);
  const verdict = (measure: string): string => {
    const mine = findings.filter((finding) => finding.measure === measure);
    if (mine.length === 0) return before === undefined ? 'new' : '';
    return mine.some((finding) => finding.failed) ? 'FAIL' : 'ok';
  };
  const checks = Object.entries(outcome.measures.quality.checks);
  const held = checks.filter(([, ok]) => ok).length;
  const rows: string[][] = [['measure', 'baseline', 'this run', 'limit', 'verdict']];
  const failedChecks = checks.filter(([, ok]) => !ok).map(([name]) => name);
  rows.push(['quality checks', before === undefined ? '-' : `${Object.keys(before.quality.checks).length} hold`, `${held}/${checks.length} hold`, 'all', failedChecks.length > 0 ? 'FAIL' : 'ok']);
  rows.push(['tasks done with evidence', fmt(before?.quality.tasks_done_with_evidence), fmt(outcome.measures.quality.tasks_done_with_evidence), before === undefined ? '-' : `>= ${before.quality.tasks_done_with_evidence}`, verdict('tasks_done_with_evidence')]);
  for (const measure of COST_MEASURES) {
    const limit = findings.find((finding) => finding.measure === measure)?.limit ?? undefined;
    rows.push([measure, fmt(before?.cost[measure]), fmt(outcome.measures.cost[measure]), limit === undefined ? '-' : `<= ${fmt(limit)}`, verdict(measure)]);
  }
  const widths = rows[0]?.map((_cell, index) => Math.max(...rows.map((row) => (row[index] ?? '').length))) ?? [];
  const extra = Object.entries(outcome.extra).map(([name, value]) => `${name} ${fmt(value)}`).join(', ');
  return [
    `${outcome.scenario} (profile ${outcome.profile}, ${(outcome.wallMs / 1000).toFixed(1)} s): ${extra}`,
    ...rows.map((row) => `  ${pad(row, widths)}`),
    ...failedChecks.map((name) => `  FAILED ${name}`),
    ...outcome.notes.map((line) => `  note: ${line}`),
  ].join('\n');
}

/** The decision and the rule that made it, then every failed comparison. */
export function renderDecision(decision: GateDecision): string {
  const failed = decision.findings.filter((finding) => finding.failed);
  return [
    `gate: ${decision.verdict.toUpperCase()} by rule ${decision.rule}: ${decision.reason}`,
    ...failed.slice(0, 40).map((finding) => `  ${finding.rule}  ${finding.scenario ?? '-'}  ${finding.text}`),
  ].join('\n');
}
