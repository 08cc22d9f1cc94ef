import type { BenchGoal, BenchReport, BenchTable } from './benchmark';

function figure(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'count' && Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function goalLine(goal: BenchGoal): string {
  const sign = goal.comparator === 'at_least' ? '>=' : '<=';
  return `  ${goal.met ? 'met   ' : 'MISSED'}  ${goal.name}: ${figure(goal.measured, goal.unit)} ${goal.unit} (goal ${sign} ${figure(goal.target, goal.unit)} ${goal.unit})`;
}

/** A table with each column as wide as its widest cell; text left-aligned, the rest right-aligned. */
function tableLines(table: BenchTable): string[] {
  const widths = table.columns.map((column, at) => Math.max(column.length, ...table.rows.map((row) => (row[at] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, at) => (at === 0 ? cell.padEnd(widths[at] ?? 0) : cell.padStart(widths[at] ?? 0))).join('  ')}`.trimEnd();
  return [`  ${table.title}`, line(table.columns), ...table.rows.map(line), ''];
}

/** The text form of one benchmark's report: tables and notes, figures, then goals. */
export function renderBenchReport(report: BenchReport): string {
  const width = Math.max(0, ...report.measurements.map((m) => m.name.length));
  return [
    `== ${report.benchmark}`,
    ...(report.tables ?? []).flatMap(tableLines),
    ...(report.notes ?? []).map((note) => `  ${note}`),
    ...report.measurements.map((m) => `  ${m.name.padEnd(width)}  ${figure(m.value, m.unit)} ${m.unit}`),
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
