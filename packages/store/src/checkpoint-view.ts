import { TERMINAL_TASK_STATUSES, type AuditEvent, type TeamSnapshot } from '@codex-team/contracts';

/** Open tasks and finished ones a view lists (the newest); the rest are counted. */
export const CHECKPOINT_VIEW_ROWS = 200;
/** Decision events of the archived segment a view lists (the newest). */
export const CHECKPOINT_VIEW_DECISIONS = 20;
/** Characters of a finished task's result in its one line. */
const RESULT_CHARS = 100;

/** Audit actions that record a decision worth a line: policy, modes, plans, recovery, the end. */
const DECISION_ACTIONS = new Set([
  'policy.switch',
  'policy.deny',
  'mode.set',
  'mode.expire',
  'plan.approve',
  'plan.reject',
  'task.recover',
  'agent.lost',
  'agent.retire',
  'team.finalize',
]);

/** One open task of a view: who holds it, with which fence, until when. */
export interface CheckpointOpenTask {
  id: string;
  title: string;
  status: string;
  required_role?: string;
  owner_agent_id?: string;
  fence?: number;
  lease_expires_at?: string;
}

/**
 * A checkpoint's compact view, published as artifact team-checkpoint: what a lead or a fresh
 * thread reads to know the team's work without reading every task, message and artifact.
 */
export interface CheckpointView {
  kind: 'codex-team checkpoint';
  format: number;
  team_id: string;
  number: number;
  upto_seq: number;
  state_digest: string;
  /** Task counts by status. */
  tasks: Record<string, number>;
  open: CheckpointOpenTask[];
  open_more: number;
  /** Finished tasks, newest first, one line each: `tk_… done: title — result [af_…]`. */
  finished: string[];
  finished_more: number;
  /** The decisions of the events this checkpoint archived, newest last: `seq N action: reason`. */
  decisions: string[];
  /** Unread messages by agent (agents with none left out). */
  unread: Record<string, number>;
}

function firstLine(text: string | null, max: number): string {
  const line = (text ?? '').split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Unread messages of each agent that is not retired, as the inbox counts them (addressed, not acked). */
function unreadCounts(state: TeamSnapshot): Record<string, number> {
  const acked = new Set(state.acks.map((ack) => `${ack.agent_id} ${ack.message_id}`));
  const counts: Record<string, number> = {};
  for (const agent of state.agents) {
    if (agent.state === 'retired') continue;
    let unread = 0;
    for (const message of state.messages) {
      const addressed = message.to_agent_id === agent.id || (message.to_agent_id === null && message.from_agent_id !== agent.id);
      if (addressed && !acked.has(`${agent.id} ${message.id}`)) unread += 1;
    }
    if (unread > 0) counts[agent.id] = unread;
  }
  return counts;
}

/**
 * The compact view of a team's state at a checkpoint: open work with owners, fences and leases,
 * finished work one line each with the artifacts tied to the task, the decisions of the archived
 * segment and the unread counts. Pure: the same state and events give the same view.
 */
export function checkpointView(input: {
  state: TeamSnapshot;
  number: number;
  format: number;
  uptoSeq: number;
  stateDigest: string;
  /** The events this checkpoint archives (since the previous one). */
  archived: readonly AuditEvent[];
}): CheckpointView {
  const { state } = input;
  const counts: Record<string, number> = {};
  for (const task of state.tasks) counts[task.status] = (counts[task.status] ?? 0) + 1;
  const open = state.tasks.filter((task) => !TERMINAL_TASK_STATUSES.includes(task.status));
  const finished = state.tasks
    .filter((task) => TERMINAL_TASK_STATUSES.includes(task.status))
    .sort((a, b) => (b.completed_at ?? b.updated_at).localeCompare(a.completed_at ?? a.updated_at));
  const artifactsOf = new Map<string, string[]>();
  for (const artifact of state.artifacts) {
    if (artifact.task_id === null) continue;
    artifactsOf.set(artifact.task_id, [...(artifactsOf.get(artifact.task_id) ?? []), artifact.id]);
  }
  const decisions = input.archived
    .filter((event) => DECISION_ACTIONS.has(event.action))
    .slice(-CHECKPOINT_VIEW_DECISIONS)
    .map((event) => `seq ${event.seq} ${event.action}: ${firstLine(event.reason, 160)}`);
  return {
    kind: 'codex-team checkpoint',
    format: input.format,
    team_id: state.team.id,
    number: input.number,
    upto_seq: input.uptoSeq,
    state_digest: input.stateDigest,
    tasks: counts,
    open: open.slice(0, CHECKPOINT_VIEW_ROWS).map((task) => ({
      id: task.id,
      title: task.title,
      status: task.status,
      ...(task.required_role === null ? {} : { required_role: task.required_role }),
      ...(task.owner_agent_id === null || task.status !== 'in_progress' ? {} : { owner_agent_id: task.owner_agent_id, fence: task.fence }),
      ...(task.lease_expires_at === null || task.status !== 'in_progress' ? {} : { lease_expires_at: task.lease_expires_at }),
    })),
    open_more: Math.max(0, open.length - CHECKPOINT_VIEW_ROWS),
    finished: finished.slice(0, CHECKPOINT_VIEW_ROWS).map((task) => {
      const refs = artifactsOf.get(task.id) ?? [];
      const result = firstLine(task.result, RESULT_CHARS);
      return `${task.id} ${task.status}: ${task.title}${result === '' ? '' : ` — ${result}`}${refs.length === 0 ? '' : ` [${refs.join(', ')}]`}`;
    }),
    finished_more: Math.max(0, finished.length - CHECKPOINT_VIEW_ROWS),
    decisions,
    unread: unreadCounts(state),
  };
}
