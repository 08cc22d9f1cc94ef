import type { Agent, AuditEvent, Task } from '@codex-team/contracts';

/** A completion a worker was told succeeded. */
export interface AckedCompletion {
  task: string;
  fence: number;
}

export interface CrashRunInput {
  /** The whole audit trail of the team, in seq order. */
  events: readonly AuditEvent[];
  tasks: readonly Task[];
  agents: readonly Agent[];
  /** Row counts of the store's tables (digestDatabase). */
  rows: Readonly<Record<string, { rows: number }>>;
  leadAgentId: string;
  maxThreads: number;
  acked: readonly AckedCompletion[];
}

/** Everything that went wrong in a run; an empty report (see `problems`) is a correct run. */
export interface CrashReport {
  tasks: number;
  notDone: string[];
  /** Tasks with more than one task.complete event. */
  completedTwice: string[];
  /** Acknowledged completions with no task.complete event of that task and fence. */
  ackedWithoutEvent: string[];
  /** Tasks or agents whose row differs from what their audit events say (a change without its event). */
  unaudited: string[];
  /** Tables whose row count differs from the events that create their rows. */
  rowsWithoutEvents: string[];
  /** task.claim events before every dependency of the task had its task.complete. */
  claimedBeforeDeps: string[];
  /** The most teammates active at once (replayed from the trail), and whether that broke the cap. */
  maxActiveTeammates: number;
  threadCapExceededAt: number[];
}

type Row = Record<string, unknown>;

function rowsOf(value: unknown): Row[] {
  if (Array.isArray(value)) return value as Row[];
  return typeof value === 'object' && value !== null ? [value as Row] : [];
}

const TASK_FIELDS = ['status', 'owner_agent_id', 'fence'] as const;

/**
 * Checks a run against the invariants, from the store's rows and its audit trail only: every task
 * done, exactly one completion each, every acknowledged completion recorded, every row as its
 * latest event says (so no committed change lacks its event), claims only after dependencies,
 * and never more active teammates than max_threads.
 */
export function checkCrashRun(input: CrashRunInput): CrashReport {
  const taskState = new Map<string, Row>();
  const agentState = new Map<string, Row>();
  const completions = new Map<string, number>();
  const completed = new Set<string>();
  const completedFences = new Set<string>();
  const deps = new Map(input.tasks.map((task) => [task.id, task.depends_on] as const));
  const claimedBeforeDeps: string[] = [];
  const threadCapExceededAt: number[] = [];
  let maxActive = 0;
  const count = (action: string) => input.events.filter((event) => event.action === action).length;

  for (const event of input.events) {
    for (const kind of ['task', 'unblocked_tasks', 'cancelled_tasks']) {
      for (const row of rowsOf(event.data[kind])) taskState.set(String(row['id']), row);
    }
    for (const row of rowsOf(event.data['agent'])) agentState.set(String(row['id']), row);
    const subject = event.subject_id ?? '';
    if (event.action === 'task.complete') {
      completions.set(subject, (completions.get(subject) ?? 0) + 1);
      completed.add(subject);
      completedFences.add(`${subject}@${String(rowsOf(event.data['task'])[0]?.['fence'])}`);
    }
    if (event.action === 'task.claim') {
      // The trail is replayed in seq order: a dependency not completed yet completed after the claim, if ever.
      for (const dep of deps.get(subject) ?? []) if (!completed.has(dep)) claimedBeforeDeps.push(`${subject} before ${dep}`);
    }
    if (rowsOf(event.data['agent']).length > 0) {
      let active = 0;
      for (const [id, agent] of agentState) if (id !== input.leadAgentId && agent['state'] === 'active') active += 1;
      maxActive = Math.max(maxActive, active);
      if (active > input.maxThreads) threadCapExceededAt.push(event.seq);
    }
  }

  const unaudited: string[] = [];
  for (const task of input.tasks) {
    const replayed = taskState.get(task.id);
    if (replayed === undefined || TASK_FIELDS.some((field) => replayed[field] !== task[field])) {
      unaudited.push(`task ${task.id}: row ${JSON.stringify(TASK_FIELDS.map((f) => task[f]))}, events ${JSON.stringify(TASK_FIELDS.map((f) => replayed?.[f]))}`);
    }
  }
  for (const agent of input.agents) {
    const replayed = agentState.get(agent.id);
    if (replayed === undefined || replayed['state'] !== agent.state || replayed['last_seen_at'] !== agent.last_seen_at) {
      unaudited.push(`agent ${agent.id}: row ${agent.state}, events ${String(replayed?.['state'])}`);
    }
  }

  const expectedRows: Record<string, number> = {
    tasks: count('task.create'),
    agents: count('agent.spawn') + count('team.start'),
    messages: count('message.send'),
    // A checkpoint publishes its compact view as a version of artifact team-checkpoint, in its team.checkpoint event.
    artifacts: count('artifact.publish') + count('team.checkpoint'),
  };
  const rowsWithoutEvents = Object.entries(expectedRows)
    .filter(([table, events]) => input.rows[table]?.rows !== events)
    .map(([table, events]) => `${table}: ${String(input.rows[table]?.rows)} rows, ${events} events`);

  return {
    tasks: input.tasks.length,
    notDone: input.tasks.filter((task) => task.status !== 'done').map((task) => task.id),
    completedTwice: [...completions].filter(([, n]) => n > 1).map(([id]) => id),
    ackedWithoutEvent: input.acked.filter((ack) => !completedFences.has(`${ack.task}@${ack.fence}`)).map((ack) => `${ack.task}@${ack.fence}`),
    unaudited,
    rowsWithoutEvents,
    claimedBeforeDeps,
    maxActiveTeammates: maxActive,
    threadCapExceededAt,
  };
}

/** The violations of a report, one line each; empty for a correct run. */
export function problems(report: CrashReport): string[] {
  const list = (name: string, items: readonly unknown[]) =>
    items.length === 0 ? [] : [`${name}: ${items.length} (${items.slice(0, 3).map(String).join('; ')})`];
  return [
    ...list('not done', report.notDone),
    ...list('completed twice', report.completedTwice),
    ...list('acknowledged without event', report.ackedWithoutEvent),
    ...list('changed without event', report.unaudited),
    ...list('rows without events', report.rowsWithoutEvents),
    ...list('claimed before dependencies', report.claimedBeforeDeps),
    ...list('thread cap exceeded at seq', report.threadCapExceededAt),
  ];
}
