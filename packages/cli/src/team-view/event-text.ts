import type { AuditEvent, TeamSnapshot } from '@codex-team/contracts';

/** Who and what a team's ids stand for, to print names instead of ids. */
export interface TeamNames {
  agents: ReadonlyMap<string, string>;
  tasks: ReadonlyMap<string, string>;
  artifacts: ReadonlyMap<string, string>;
}

export function teamNames(snapshot: Pick<TeamSnapshot, 'agents' | 'tasks' | 'artifacts'>): TeamNames {
  return {
    agents: new Map(snapshot.agents.map((agent) => [agent.id, agent.name] as const)),
    tasks: new Map(snapshot.tasks.map((task) => [task.id, task.title] as const)),
    artifacts: new Map(snapshot.artifacts.map((artifact) => [artifact.id, `${artifact.name} v${artifact.version}`] as const)),
  };
}

/** The agent's name, or its id when the team has no such agent; `-` for none. */
export function agentName(names: TeamNames, id: string | null): string {
  if (id === null) return '-';
  return names.agents.get(id) ?? id;
}

/** Ids this code prints in its own reasons (`ag_...`, `tk_...`): agents, tasks, artifacts. */
const ID = /\b(ag|tk|ar)_[a-z0-9]+\b/g;

/** `text` with every agent, task and artifact id of the team replaced by its name or "title". */
export function withNames(text: string, names: TeamNames): string {
  return text.replace(ID, (id) => {
    const agent = names.agents.get(id);
    if (agent !== undefined) return agent;
    const task = names.tasks.get(id);
    if (task !== undefined) return `"${task}"`;
    return names.artifacts.get(id) ?? id;
  });
}

/** What an event is about, by name: the task's "title", the agent's or artifact's name; '' for the team. */
export function eventSubject(event: AuditEvent, names: TeamNames): string {
  const id = event.subject_id;
  if (id === null) return '';
  const task = names.tasks.get(id);
  if (task !== undefined) return `"${task}"`;
  return names.agents.get(id) ?? names.artifacts.get(id) ?? '';
}

/**
 * One event in words: its subject (unless the reason already names it) and its reason with ids
 * replaced by names, e.g. `"Write the API spec": claimed with fence 1 until ...` or
 * `message sent to grace`.
 */
export function describeEvent(event: AuditEvent, names: TeamNames): string {
  const reason = withNames(event.reason, names);
  const subject = eventSubject(event, names);
  return subject === '' || reason.includes(subject) ? reason : `${subject}: ${reason}`;
}
