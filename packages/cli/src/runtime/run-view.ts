import type { RebalanceDecision } from '@codex-team/scheduler';
import type { TextSink } from '../cli-io';
import { progressBar, table } from '../team-view/render-text';
import { watchFrameText } from '../team-view/render-watch';
import type { TeamView } from '../team-view/team-source';
import type { TeamState, WorkerRecord } from './runtime-state';
import type { RunOutcome, RuntimeEvent } from './supervisor';

/** Clear the screen and home the cursor: the live view redraws in place on a terminal. */
const CLEAR = '\u001b[2J\u001b[H';
const RECENT = 6;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(6)} s`;

function workerState(worker: WorkerRecord): string {
  if (worker.retired) return `retired (${worker.exit?.rule ?? 'store'})`;
  if (worker.exit !== null) return `ended (${worker.exit.rule})`;
  if (worker.stopping !== null) return `stopping (${worker.stopping.rule})`;
  return worker.process === null ? 'adopted' : 'running';
}

/** The runtime's part of a frame: each worker's process and what the rebalancing controller wants. */
export function runtimeLines(workers: readonly WorkerRecord[], decision: RebalanceDecision | null, events: readonly RuntimeEvent[], startedAt: number): string[] {
  const shown = workers.filter((worker) => !worker.retired || worker.process?.alive() === true);
  const wanted = decision === null ? 'planning' : `${decision.desired_total} (${Object.entries(decision.desired_by_role).map(([role, n]) => `${role} ${n}`).join(', ') || 'none'})`;
  return [
    '',
    `RUNTIME  workers wanted: ${wanted}`,
    shown.length === 0
      ? '(no worker running)'
      : table(['worker', 'role', 'pid', 'process'], shown.map((worker) => [worker.name, worker.role, String(worker.process?.pid ?? '-'), workerState(worker)])),
    ...events.slice(-RECENT).map((event) => `${seconds(event.at - startedAt)}  ${event.kind.padEnd(8)} ${event.detail}`),
  ];
}

/**
 * What `codex-team run` shows while it runs: on a terminal, the live view of `watch` with the
 * runtime's workers below it, redrawn each tick; in a log, one line per runtime event and one per
 * change of the DAG's progress; with --json, one JSON line per event.
 */
export class RunView {
  private readonly events: RuntimeEvent[] = [];
  private lastProgress = '';

  constructor(
    private readonly out: TextSink,
    private readonly mode: 'live' | 'lines' | 'json',
    private readonly startedAt: number,
  ) {}

  event(event: RuntimeEvent): void {
    this.events.push(event);
    if (this.mode === 'json') this.out.write(`${JSON.stringify({ event: { ...event, at: new Date(event.at).toISOString() } })}\n`);
    if (this.mode === 'lines') this.out.write(`${seconds(event.at - this.startedAt)}  ${event.kind.padEnd(8)} ${event.detail}\n`);
  }

  /** A tick; `view` is read only in live mode (it costs a full read of the team). */
  tick(state: TeamState, workers: readonly WorkerRecord[], decision: RebalanceDecision | null, view: () => TeamView | null): void {
    if (this.mode === 'live') {
      const team = view();
      // The watch frame, under the run's own first line.
      const frame = team === null ? '' : watchFrameText(team, 0).replace(/^[^\n]*\n/, `codex-team run  ${new Date(state.now).toISOString()}  ${seconds(state.now - this.startedAt).trim()}, Ctrl-C stops every worker\n`);
      this.out.write(`${CLEAR}${frame}${runtimeLines(workers, decision, this.events, this.startedAt).join('\n')}\n`);
      return;
    }
    const tasks = state.snapshot.tasks;
    const done = tasks.filter((task) => task.status === 'done').length;
    const counts = ['ready', 'in_progress', 'blocked', 'failed'].map((status) => `${tasks.filter((task) => task.status === status).length} ${status}`).join(', ');
    const progress = `progress ${progressBar(done, tasks.length)} ${counts}`;
    if (progress === this.lastProgress) return;
    this.lastProgress = progress;
    if (this.mode === 'lines') this.out.write(`${seconds(state.now - this.startedAt)}  ${progress}\n`);
  }
}

/** The run summary: how it ended, what the workers did, where the report is. */
export function renderRunSummary(outcome: RunOutcome, reportPath: string | null, dbPath: string): string {
  const { tasks } = outcome;
  const reclaim = outcome.reclaims.map((entry) => entry.exitToReclaimMs);
  return [
    '',
    `run summary: team ${outcome.teamId} ${outcome.status} in ${(outcome.elapsedMs / 1000).toFixed(1)} s: ${outcome.reason}`,
    `  tasks: ${tasks.done}/${tasks.total} done, ${tasks.failed} failed, ${tasks.cancelled} cancelled, ${tasks.open} open`,
    `  workers: ${outcome.launched} codex exec session(s) started, ${outcome.adopted} adopted, at most ${outcome.maxLive} at once; ` +
      `${outcome.exits} exited, ${outcome.hungStops} stopped as hung, ${outcome.retiredByPolicy} retired by the rebalancing controller`,
    `  recovered: ${outcome.reclaims.length} worker(s)' tasks` + (reclaim.length === 0 ? '' : `, exit to reclaim ${Math.min(...reclaim)}-${Math.max(...reclaim)} ms`),
    ...(outcome.merges > 0 || outcome.conflicts.length > 0
      ? [`  merges: ${outcome.merges}; conflicts: ${outcome.conflicts.map((c) => `${c.branch} (${c.files.join(', ')})`).join('; ') || 'none'}`]
      : []),
    ...(reportPath === null ? [] : [`report: ${reportPath}`]),
    `inspect it: codex-team status ${outcome.teamId} --db ${dbPath}`,
    ...(outcome.status === 'done' ? [] : [`resume it:  codex-team run --resume ${outcome.teamId} --db ${dbPath}`]),
    '',
  ].join('\n');
}
