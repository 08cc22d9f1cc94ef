import { describeMode, printableEvents, statusModel } from './team-model';
import type { TeamView } from './team-source';
import { progressBar, renderEvents, table } from './render-text';

/** How many audit events the live view shows. */
export const RECENT_EVENTS = 8;

/** One frame of `codex-team watch` as JSON (one line per frame with --json). */
export function watchFrameJson(view: TeamView): Record<string, unknown> {
  const model = statusModel(view);
  return {
    at: new Date(view.now).toISOString(),
    team: model.team,
    agents: model.agents,
    tasks_by_status: model.tasks_by_status,
    ready_to_finalize: model.ready_to_finalize,
    budget: model.budget,
    spawn: model.hints?.spawn ?? [],
    tree: model.tree,
    recent_events: printableEvents(view.events.slice(-RECENT_EVENTS)),
  };
}

/** One frame of `codex-team watch` as text: agents, the DAG's progress, recent events. */
export function watchFrameText(view: TeamView, intervalMs: number): string {
  const model = statusModel(view);
  const { snapshot } = view;
  const titles = new Map(snapshot.tasks.map((task) => [task.id, task.title] as const));
  const total = snapshot.tasks.length;
  const ready = snapshot.tasks.filter((task) => task.status === 'ready');
  const lines = [
    `codex-team watch  ${new Date(view.now).toISOString()}  every ${intervalMs} ms, Ctrl-C to stop`,
    `team ${model.team.name} (${model.team.id})  ${model.team.state}  profile ${model.team.profile}  ${describeMode(model.team.mode)}`,
    '',
    'AGENTS',
    table(
      ['agent', 'role', 'state', 'working on'],
      model.agents.map((agent) => [
        agent.name,
        agent.role,
        agent.idle_since === null || agent.state === 'retired' ? agent.state : `${agent.state} (idle)`,
        agent.holding.map((id) => titles.get(id) ?? id).join(', ') || '-',
      ]),
    ),
    '',
    `DAG  ${progressBar(model.tasks_by_status.done, total)}  ` +
      Object.entries(model.tasks_by_status)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${status} ${n}`)
        .join(', '),
    `ready: ${ready.length === 0 ? '-' : ready.slice(0, 5).map((task) => `${task.title} (${task.required_role ?? '*'})`).join(', ')}`,
    `critical path (unfinished): ${model.remaining_critical_path.map((id) => titles.get(id) ?? id).join(' -> ') || '-'}`,
  ];
  if (model.budget !== null) lines.push(`budget: ${model.budget.state}, ${model.budget.used_tokens} of ${model.budget.hard_tokens} tokens`);
  if (model.ready_to_finalize !== null && model.ready_to_finalize.ready) lines.push(`READY TO FINALIZE: ${model.ready_to_finalize.reason}`);
  if (model.tree.length > 0) lines.push('', 'TREE', ...model.tree);
  lines.push('', 'RECENT EVENTS', renderEvents(printableEvents(view.events.slice(-RECENT_EVENTS)), snapshot.agents).trimEnd());
  return `${lines.join('\n')}\n`;
}
