import type { Agent, AuditEvent, Task } from '@codex-team/contracts';
import { terminalSafe } from '../terminal-text';
import { agentName, describeEvent, type TeamNames } from './event-text';
import { describeMode, type StatusModel } from './team-model';
import { displayWidth } from './text-width';
import { usageLine } from './usage-view';

/**
 * A plain text table: columns padded to their widest cell (in terminal columns, after the
 * sanitiser has shown any control character escaped), the last column left ragged.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const safe = rows.map((row) => row.map((cell) => terminalSafe(cell)));
  const widths = headers.map((header, i) => Math.max(displayWidth(header), ...safe.map((row) => displayWidth(row[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell)))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...safe.map(line)].join('\n');
}

/** One line of at most `max` characters: whitespace runs (newlines too) become one space. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 3)}...`;
}

/** `done 3/10 [######..............]` */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `done ${done}/${total} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function renderStatus(model: StatusModel): string {
  const { team } = model;
  const total = Object.values(model.tasks_by_status).reduce((a, b) => a + b, 0);
  const lines = [
    `team ${team.name} (${team.id})  ${model.condition}  profile ${team.profile}  max_threads ${team.max_threads}`,
    ...(model.condition === 'orphaned' ? ['its lead is lost: nobody leads this team (codex-team finalize or cancel it)'] : []),
    describeMode(team.mode),
    `objective: ${team.objective === '' ? '-' : clip(team.objective, 100)}`,
    '',
    table(
      ['agent', 'role', 'state', 'idle since', 'holding'],
      model.agents.map((agent) => [agent.name, agent.role, agent.state, agent.idle_since ?? '-', agent.holding.join(', ') || '-']),
    ),
    '',
    `tasks: ${progressBar(model.tasks_by_status.done, total)}  ` +
      Object.entries(model.tasks_by_status)
        .map(([status, n]) => `${status} ${n}`)
        .join(', '),
  ];
  if (model.remaining_critical_path_titles.length > 0) {
    lines.push(`critical path (unfinished): ${model.remaining_critical_path_titles.map((title) => clip(title, 60)).join(' -> ')}`);
  }
  if (model.profile_missing !== null) {
    lines.push(`profile ${model.profile_missing} is not on this machine: budget and hints unavailable`);
  }
  if (model.budget !== null) {
    lines.push(`budget: ${model.budget.state}, ${model.budget.used_tokens} of ${model.budget.hard_tokens} tokens (soft ${model.budget.soft_tokens})`);
  }
  if (model.usage.measured_tokens + model.usage.reported_tokens > 0) lines.push(usageLine(model.usage, 'team'));
  if (model.ready_to_finalize !== null) {
    lines.push(`ready to finalize: ${model.ready_to_finalize.ready ? 'yes' : 'no'} (${model.ready_to_finalize.reason})`);
  }
  if (model.hints !== null) {
    const spawn = model.hints.spawn.map((s) => `${s.count} ${s.role}`).join(', ');
    lines.push(`spawn now: ${spawn === '' ? 'nobody' : spawn} (cap ${model.hints.cap}, target ${model.hints.target_agents})`);
    for (const reason of model.hints.reasons) lines.push(`  - ${reason}`);
  }
  if (team.summary !== null) lines.push(`summary: ${clip(team.summary, 200)}`);
  if (model.tree.length > 0) lines.push('', 'team tree:', ...model.tree.map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

export function renderTasks(tasks: readonly Task[], agents: readonly Agent[]): string {
  const byId = new Map(agents.map((agent) => [agent.id, agent.name] as const));
  const names: TeamNames = { agents: byId, tasks: new Map(), artifacts: new Map() };
  if (tasks.length === 0) return 'no tasks\n';
  return `${table(
    ['id', 'status', 'role', 'owner', 'prio', 'deps', 'title'],
    tasks.map((task) => [
      task.id,
      task.status,
      task.required_role ?? '*',
      agentName(names, task.owner_agent_id),
      String(task.priority),
      String(task.depends_on.length),
      clip(task.title, 60),
    ]),
  )}\n`;
}

/** The audit trail as a table; ids in reasons are shown as names, and each event names its subject. */
export function renderEvents(events: readonly AuditEvent[], names: TeamNames): string {
  if (events.length === 0) return 'no events\n';
  return `${table(
    ['seq', 'at', 'actor', 'action', 'decision', 'what'],
    events.map((event) => [
      String(event.seq),
      event.at,
      event.actor_kind === 'operator' ? '(operator)' : event.actor_agent_id === null ? '(server)' : agentName(names, event.actor_agent_id),
      event.action,
      event.decision,
      clip(describeEvent(event, names), 120),
    ]),
  )}\n`;
}
