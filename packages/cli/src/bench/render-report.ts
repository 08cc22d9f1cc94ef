import type { BenchGoal, BenchReport } from './benchmark';

function figure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function goalLine(goal: BenchGoal): string {
  const sign = goal.comparator === 'at_least' ? '>=' : '<=';
  return `  ${goal.met ? 'met   ' : 'MISSED'}  ${goal.name}: ${figure(goal.measured)} ${goal.unit} (goal ${sign} ${figure(goal.target)} ${goal.unit})`;
}

/** The text form of one benchmark's report: figures, then goals. */
export function renderBenchReport(report: BenchReport): string {
  const width = Math.max(0, ...report.measurements.map((m) => m.name.length));
  return [
    `== ${report.benchmark}`,
    ...report.measurements.map((m) => `  ${m.name.padEnd(width)}  ${figure(m.value)} ${m.unit}`),
    ...report.goals.map(goalLine),
    '',
  ].join('\n');
}

/** The last line of a bench run: how many goals were met; the command exits 1 when any was missed. */
export function renderBenchVerdict(reports: readonly BenchReport[]): string {
  const goals = reports.flatMap((report) => report.goals);
  const missed = goals.filter((goal) => !goal.met).length;
  return `bench: ${goals.length - missed} goals met, ${missed} missed\n`;
}
