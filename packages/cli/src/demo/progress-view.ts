import type { Agent, Task } from '@codex-team/contracts';

/** An agent as the view needs it: a short row (AgentRef) or a whole one. */
export type ViewAgent = Pick<Agent, 'id' | 'name' | 'role' | 'state'>;
/** A task as the view needs it: a short row (TaskRow, with when the lead saw it done) or a whole one. */
export type ViewTask = Pick<Task, 'id' | 'title' | 'status'> & { owner_agent_id?: string | null; completed_at?: string | null };

/** What one frame of the demo's live view shows. */
export interface ProgressSnapshot {
  objective: string;
  teamId: string;
  elapsedMs: number;
  agents: readonly ViewAgent[];
  tasks: readonly ViewTask[];
}

const BAR_WIDTH = 30;
const RECENT = 3;

function bar(done: number, total: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

function countBy(tasks: readonly ViewTask[], status: Task['status']): number {
  return tasks.filter((task) => task.status === status).length;
}

/** The headline: progress bar and counts by state. */
export function progressHeadline(snapshot: ProgressSnapshot): string {
  const { tasks } = snapshot;
  const done = countBy(tasks, 'done');
  return (
    `${bar(done, tasks.length)} ${done}/${tasks.length} done, ${countBy(tasks, 'in_progress')} in progress, ` +
    `${countBy(tasks, 'ready')} ready, ${countBy(tasks, 'blocked')} blocked` +
    (countBy(tasks, 'failed') > 0 ? `, ${countBy(tasks, 'failed')} failed` : '')
  );
}

/** One line per teammate: what it holds now, or how much it has done. */
export function agentLines(snapshot: ProgressSnapshot): string[] {
  const teammates = snapshot.agents.filter((agent) => agent.role !== 'lead');
  const width = Math.max(0, ...teammates.map((agent) => agent.name.length));
  return teammates.map((agent) => {
    const holding = snapshot.tasks.find((task) => task.status === 'in_progress' && task.owner_agent_id === agent.id);
    const done = snapshot.tasks.filter((task) => task.status === 'done' && task.owner_agent_id === agent.id).length;
    const doing = holding === undefined ? (agent.state === 'active' ? 'waiting for ready work' : agent.state) : `working on "${holding.title}"`;
    return `  ${agent.name.padEnd(width)}  ${agent.role.padEnd(11)}  ${String(done).padStart(2)} done  ${doing}`;
  });
}

/** The whole frame, as lines (no trailing newline). */
export function renderProgress(snapshot: ProgressSnapshot): string[] {
  const recent = snapshot.tasks
    .filter((task) => task.status === 'done' && task.completed_at !== null && task.completed_at !== undefined)
    .sort((a, b) => (a.completed_at ?? '').localeCompare(b.completed_at ?? ''))
    .slice(-RECENT)
    .map((task) => `"${task.title}"`);
  return [
    `codex-team demo  team ${snapshot.teamId}  ${(snapshot.elapsedMs / 1000).toFixed(1)} s`,
    `objective: ${snapshot.objective}`,
    progressHeadline(snapshot),
    ...agentLines(snapshot),
    `recently done: ${recent.length === 0 ? '-' : recent.join(', ')}`,
  ];
}
