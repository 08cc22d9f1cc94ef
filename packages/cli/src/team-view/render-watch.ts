import type { Task } from '@codex-team/contracts';
import { agentName, describeEvent, teamNames } from './event-text';
import { clip, progressBar, table } from './render-text';
import { describeMode, printableEvents, statusModel } from './team-model';
import type { TeamView } from './team-source';
import { fitLine } from './text-width';

/** How many audit events the live view shows when the terminal has room. */
export const RECENT_EVENTS = 8;

/**
 * How `codex-team watch` ends once the team has ended, as its exit status: 0 finalized with every
 * task done, 3 finalized with tasks failed, cancelled or unfinished. (1 failure, 2 usage and 130
 * interrupted are every command's; see EXIT.) A team still active has no exit status.
 */
export const WATCH_EXIT = { finalizedDone: 0, finalizedUnfinished: 3 } as const;

/** The exit status for a team that has ended, or null while it is still active. */
export function watchExitStatus(snapshot: TeamView['snapshot']): number | null {
  if (snapshot.team.state === 'active') return null;
  return snapshot.tasks.every((task: Task) => task.status === 'done') ? WATCH_EXIT.finalizedDone : WATCH_EXIT.finalizedUnfinished;
}

/** One frame of `codex-team watch` as JSON (one line per frame with --json). */
export function watchFrameJson(view: TeamView): Record<string, unknown> {
  const model = statusModel(view);
  const names = teamNames(view.snapshot);
  return {
    at: new Date(view.now).toISOString(),
    team: model.team,
    agents: model.agents,
    tasks_by_status: model.tasks_by_status,
    ready_to_finalize: model.ready_to_finalize,
    budget: model.budget,
    spawn: model.hints?.spawn ?? [],
    remaining_critical_path_titles: model.remaining_critical_path_titles,
    tree: model.tree,
    recent_events: printableEvents(view.events.slice(-RECENT_EVENTS)).map((event) => ({ ...event, what: describeEvent(event, names) })),
    exit_status: watchExitStatus(view.snapshot),
  };
}

/** The terminal a frame must fit: lines no wider than `columns`, at most `rows - 1` lines. */
export interface FrameSize {
  columns: number;
  rows: number;
}

function timeOf(iso: string): string {
  return iso.slice(11, 19);
}

/**
 * One frame of `codex-team watch` as text: agents, the DAG's progress, recent events, with tasks
 * and agents by name. Given a terminal size, every line is cut to its width and the frame to its
 * height (older events go first, then detail lines, then agents beyond what fits), so the header
 * stays on screen and nothing wraps.
 */
export function watchFrameText(view: TeamView, intervalMs: number, size?: FrameSize): string {
  const model = statusModel(view);
  const { snapshot } = view;
  const names = teamNames(snapshot);
  const ended = watchExitStatus(snapshot);
  const total = snapshot.tasks.length;
  const ready = snapshot.tasks.filter((task) => task.status === 'ready');
  const header = [
    `codex-team watch  ${new Date(view.now).toISOString().slice(0, 19)}Z  ` +
      (ended === null ? `every ${intervalMs} ms, Ctrl-C to stop` : `team ${model.team.state}, exit ${ended}`),
    `team ${model.team.name} (${model.team.id})  ${model.condition}  profile ${model.team.profile}  ${describeMode(model.team.mode)}`,
  ];
  const agentTable = table(
    ['agent', 'role', 'state', 'working on'],
    model.agents.map((agent) => [
      agent.name,
      agent.role,
      agent.idle_since === null || agent.state === 'retired' ? agent.state : `${agent.state} (idle)`,
      agent.holding.map((id) => clip(names.tasks.get(id) ?? id, 60)).join(', ') || '-',
    ]),
  ).split('\n');
  const others = Object.entries(model.tasks_by_status)
    .filter(([status, n]) => n > 0 && status !== 'done')
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  const dag = [`DAG  ${progressBar(model.tasks_by_status.done, total, 20)}${others === '' ? '' : `  ${others}`}`];
  const details = [
    `ready: ${ready.length === 0 ? '-' : ready.slice(0, 5).map((task) => `${clip(task.title, 40)} (${task.required_role ?? '*'})`).join(', ')}`,
    `critical path (unfinished): ${model.remaining_critical_path_titles.map((title) => clip(title, 40)).join(' -> ') || '-'}`,
    ...(model.budget === null ? [] : [`budget: ${model.budget.state}, ${model.budget.used_tokens} of ${model.budget.hard_tokens} tokens`]),
    ...(model.ready_to_finalize?.ready === true && model.team.state === 'active' ? [`READY TO FINALIZE: ${model.ready_to_finalize.reason}`] : []),
    // The team's tree, after what is about the team itself: lines that do not fit go first.
    ...(model.tree.length === 0 ? [] : ['', 'TREE', ...model.tree]),
  ];
  const events = printableEvents(view.events.slice(-RECENT_EVENTS));
  const eventLines =
    events.length === 0
      ? ['no events']
      : table(
          ['at', 'actor', 'action', 'what'],
          events.map((event) => [
            timeOf(event.at),
            event.actor_kind === 'operator' ? '(operator)' : event.actor_agent_id === null ? '(server)' : agentName(names, event.actor_agent_id),
            event.action,
            clip(describeEvent(event, names), 200),
          ]),
        ).split('\n');

  const frame = (agentRows: string[], detailLines: string[], eventRows: string[]): string[] => [
    ...header,
    '',
    'AGENTS',
    ...agentRows,
    '',
    ...dag,
    ...detailLines,
    ...(eventRows.length === 0 ? [] : ['', 'RECENT EVENTS', ...eventRows]),
  ];
  if (size === undefined) return `${frame(agentTable, details, eventLines).join('\n')}\n`;

  // Fit the height: the cursor's line stays free so the terminal never scrolls the header away.
  const maxLines = Math.max(header.length, size.rows - 1);
  let agentRows = agentTable;
  let detailLines = details;
  let eventRows = eventLines;
  const height = () => frame(agentRows, detailLines, eventRows).length;
  // Older events first (keeping the column header and at least one event)...
  while (height() > maxLines && eventRows.length > 2) eventRows = [eventRows[0] ?? '', ...eventRows.slice(2)];
  // ...then the detail lines, the events section, and agents beyond what fits.
  while (height() > maxLines && detailLines.length > 0) detailLines = detailLines.slice(0, -1);
  if (height() > maxLines) eventRows = [];
  const [agentHeader = '', ...agentLines] = agentTable;
  for (let keep = agentLines.length - 1; height() > maxLines && keep >= 0; keep -= 1) {
    agentRows = [agentHeader, ...agentLines.slice(0, keep), `... and ${agentLines.length - keep} more agents`];
  }
  return `${frame(agentRows, detailLines, eventRows)
    .slice(0, maxLines)
    .map((line) => fitLine(line, size.columns))
    .join('\n')}\n`;
}
