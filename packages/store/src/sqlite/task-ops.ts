import { DEFAULTS, LIMITS, TERMINAL_TASK_STATUSES, TeamError, type ToolInput } from '@codex-team/contracts';
import { blockedByCycle, readyWhen } from '@codex-team/scheduler';
import type { Actor, CreatedTasks, LeaseOptions, TaskChange, TaskPage } from '../team-store';
import { requireCaller, requireLead, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { auditTaskChange, requireHolder, reloadTask, requireTask, findTask, taskEntities, taskEntity } from './task-rows';
import { TASK_COLUMNS, iso, toAgent, type TaskRow } from './row-mappers';
import type { Op } from './transaction';
import { requireModeAllows } from './mode-ops';

type NewTask = ToolInput<'team_task_create'>['tasks'][number];

/** A dependency resolved to either a task of this batch (by index) or an existing task. */
type Dependency = { batchIndex: number } | { existing: TaskRow };

function indexKeys(tasks: readonly NewTask[]): Map<string, number> {
  const keys = new Map<string, number>();
  tasks.forEach((task, index) => {
    if (task.key === undefined) return;
    if (keys.has(task.key)) {
      throw new TeamError('INVALID_INPUT', `key ${task.key} is used by more than one task of this call`, { key: task.key });
    }
    keys.set(task.key, index);
  });
  return keys;
}

/**
 * Keys of this call win over ids: a key is chosen by the caller for this call, while an entry that
 * is not a key must name an existing task of the team. Repeated entries count once.
 */
function resolveDependencies(op: Op, teamId: string, tasks: readonly NewTask[], keys: Map<string, number>): Dependency[][] {
  return tasks.map((task, index) => {
    const seen = new Set<string>();
    const resolved: Dependency[] = [];
    for (const entry of task.depends_on) {
      if (seen.has(entry)) continue;
      seen.add(entry);
      const batchIndex = keys.get(entry);
      if (batchIndex !== undefined) {
        if (batchIndex === index) {
          throw new TeamError('CYCLE_DETECTED', `task ${entry} depends on itself`, { keys: [entry] });
        }
        resolved.push({ batchIndex });
        continue;
      }
      const existing = findTask(op, teamId, entry);
      if (existing === undefined) {
        throw new TeamError('NOT_FOUND', `depends_on ${entry} is neither a task of this team nor a key of this call`, {
          depends_on: entry,
        });
      }
      if (existing.status === 'failed' || existing.status === 'cancelled') {
        throw new TeamError('CONFLICT', `depends_on ${entry} is ${existing.status} and will never be done`, {
          depends_on: entry,
          status: existing.status,
        });
      }
      resolved.push({ existing });
    }
    return resolved;
  });
}

/**
 * CYCLE_DETECTED when the dependencies inside the batch form a cycle (scheduler's blockedByCycle:
 * existing tasks cannot depend on new ones, so only edges inside the batch can close one).
 */
function refuseCycles(tasks: readonly NewTask[], dependencies: Dependency[][]): void {
  const name = (index: number): string => tasks[index]?.key ?? `#${index}`;
  const stuck = blockedByCycle(
    dependencies.map((deps, index) => ({
      id: name(index),
      depends_on: deps.flatMap((dep) => ('batchIndex' in dep ? [name(dep.batchIndex)] : [])),
    })),
  );
  if (stuck.length > 0) {
    throw new TeamError('CYCLE_DETECTED', `the dependencies of this call form a cycle through ${stuck.join(', ')}`, { keys: stuck });
  }
}

/**
 * Adds a batch of tasks, possibly a whole DAG (depends_on takes task ids of the team or keys of
 * this call). A task is ready when all its dependencies are already done, else blocked. One
 * `task.create` event per task.
 */
export function createTasks(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_task_create'>,
): CreatedTasks {
  const caller = requireWriter(op, actor, 'team_task_create');
  if (input.tasks.length === 0 || input.tasks.length > LIMITS.tasksPerCreateMax) {
    throw new TeamError('INVALID_INPUT', `a call creates 1 to ${LIMITS.tasksPerCreateMax} tasks`);
  }
  const keys = indexKeys(input.tasks);
  const dependencies = resolveDependencies(op, caller.team.id, input.tasks, keys);
  refuseCycles(input.tasks, dependencies);

  const ids = input.tasks.map(() => op.ids.next('tk'));
  input.tasks.forEach((task, index) => {
    const deps = dependencies[index] ?? [];
    // A task of this batch is never done yet; an existing dependency counts unless it is done.
    const unfinished = deps.filter((dep) => !('existing' in dep && dep.existing.status === 'done')).length;
    const ready = readyWhen('blocked', unfinished);
    op.sql.run(
      `INSERT INTO tasks (id, team_id, title, description, required_role, priority, risk, status, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ids[index],
      caller.team.id,
      task.title,
      task.description,
      task.required_role ?? null,
      task.priority,
      task.risk ?? 'low',
      ready ? 'ready' : 'blocked',
      caller.agent.id,
      op.now,
      op.now,
    );
  });
  input.tasks.forEach((_task, index) => {
    for (const dep of dependencies[index] ?? []) {
      const dependsOn = 'existing' in dep ? dep.existing.id : ids[dep.batchIndex];
      op.sql.run('INSERT INTO task_dependencies (task_id, depends_on_id) VALUES (?, ?)', ids[index], dependsOn);
    }
  });
  const created = ids.map((id) => taskEntity(op, reloadTask(op, id as string)));
  for (const task of created) {
    appendAudit(op, {
      teamId: caller.team.id,
      actorAgentId: caller.agent.id,
      action: 'task.create',
      subjectId: task.id,
      reason: `created ${task.status} task "${task.title}"`,
      data: { task },
    });
  }
  const keyMap: Record<string, string> = {};
  for (const [key, index] of keys) keyMap[key] = ids[index] as string;
  return { tasks: created, keys: keyMap };
}

/**
 * Tasks in creation order; `after` pages on from a task id returned earlier. Filters: status,
 * required role, owner, `ready` (ready tasks that name the caller's role or none), one task_id
 * (NOT_FOUND when the team has no such task). Reads only. A child team looking at its parent sees
 * only the tasks delegated to it (their briefs).
 */
export function listTasks(op: Op, actor: Actor, input: ToolInput<'team_task_list'>): TaskPage {
  const caller = requireCaller(op, actor, 'team_task_list');
  const delegatedTo = caller.access === 'delegated' ? caller.home.team.id : null;
  let afterSeq = 0;
  if (input.after !== undefined) {
    const seq = op.sql.value<number>('SELECT seq FROM tasks WHERE id = ? AND team_id = ?', input.after, caller.team.id);
    if (seq === undefined) {
      throw new TeamError('INVALID_INPUT', `after ${input.after} is not a task of this team`, { after: input.after });
    }
    afterSeq = seq;
  }
  if (input.task_id !== undefined) requireTask(op, caller.team.id, input.task_id);
  const limit = Math.min(input.limit ?? DEFAULTS.listPageSize, LIMITS.listPageMax);
  // An empty status list is read as "no status filter", like an absent one.
  const statuses = input.status !== undefined && input.status.length > 0 ? JSON.stringify(input.status) : null;
  const rows = op.sql.all<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks
     WHERE team_id = @team AND seq > @after
       AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
       AND (@owner IS NULL OR owner_agent_id = @owner)
       AND (@role IS NULL OR required_role = @role)
       AND (@ready = 0 OR (status = 'ready' AND (required_role IS NULL OR required_role = @mine)))
       AND (@task IS NULL OR id = @task)
       AND (@delegated IS NULL OR delegated_to_team_id = @delegated)
     ORDER BY seq LIMIT @limit`,
    {
      team: caller.team.id,
      after: afterSeq,
      statuses,
      owner: input.owner_agent_id ?? null,
      role: input.role ?? null,
      ready: input.ready === true ? 1 : 0,
      mine: caller.agent.role,
      task: input.task_id ?? null,
      delegated: delegatedTo,
      limit: limit + 1,
    },
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { tasks: taskEntities(op, page), next_after: rows.length > limit && last !== undefined ? last.id : null };
}

function hasEdits(input: ToolInput<'team_task_update'>): boolean {
  return (
    input.title !== undefined ||
    input.description !== undefined ||
    input.priority !== undefined ||
    input.required_role !== undefined ||
    input.risk !== undefined ||
    input.cancel === true
  );
}

/** True when the update asks for nothing but a new risk tier. */
function onlyRisk(input: ToolInput<'team_task_update'>): boolean {
  const { task_id: _task, risk, ...rest } = input;
  return risk !== undefined && Object.values(rest).every((value) => value === undefined);
}

/**
 * Two kinds of update. On a task in progress only its holder may report progress (with fence and
 * a live lease), which also renews the lease: `task.progress`. A task not in progress may be edited
 * or cancelled by its creator or the lead: `task.edit` / `task.cancel`.
 */
export function updateTask(
  op: Op,
  actor: Actor,
  input: ToolInput<'team_task_update'>,
  options: LeaseOptions,
): TaskChange {
  const caller = requireWriter(op, actor, 'team_task_update');
  const task = requireTask(op, caller.team.id, input.task_id);
  if (input.review !== undefined) return { task: reviewTask(op, caller, task, input), lease_expires_at: null };
  if (input.risk !== undefined) requireLead(op, caller, 'team_task_update', `set the risk tier of task ${task.id}`, 'risk');
  if (task.status === 'in_progress' && onlyRisk(input)) return { task: setRisk(op, caller, task, input.risk ?? task.risk), lease_expires_at: task.lease_expires_at === null ? null : iso(task.lease_expires_at) };
  if (task.status === 'in_progress') {
    if (hasEdits(input)) {
      throw new TeamError('CONFLICT', `task ${task.id} is in progress: release it before editing or cancelling it`, {
        status: task.status,
      });
    }
    requireModeAllows(op, caller, 'team_task_update', { actions: ['progress'] });
    requireHolder(op, task, caller.agent, input.fence);
    const leaseExpiresAt = op.now + options.leaseMs;
    op.sql.run(
      'UPDATE tasks SET progress = coalesce(?, progress), lease_expires_at = ?, updated_at = ? WHERE id = ?',
      input.progress ?? null,
      leaseExpiresAt,
      op.now,
      task.id,
    );
    const updated = auditTaskChange(op, caller, task.id, 'task.progress', () =>
      input.progress === undefined ? 'lease renewed' : 'progress reported; lease renewed',
    );
    return { task: updated, lease_expires_at: iso(leaseExpiresAt) };
  }

  if (input.fence !== undefined) {
    throw new TeamError('STALE_CLAIM', `task ${task.id} is ${task.status}, not held by a claim; nothing changed`, {
      task_id: task.id,
      status: task.status,
    });
  }
  if (TERMINAL_TASK_STATUSES.includes(task.status)) {
    throw new TeamError('CONFLICT', `task ${task.id} is ${task.status} and can no longer change`, { status: task.status });
  }
  if (task.created_by !== caller.agent.id && !caller.isLead) {
    throw new TeamError('DENIED', `only the creator of task ${task.id} or the lead may edit it`, { task_id: task.id });
  }
  if (input.progress !== undefined) {
    throw new TeamError('CONFLICT', `task ${task.id} is ${task.status}: progress is reported by the holder of a claim`, {
      status: task.status,
    });
  }
  if (!hasEdits(input)) throw new TeamError('INVALID_INPUT', 'nothing to change: give a field to edit, or cancel');
  const cancel = input.cancel === true;
  op.sql.run(
    `UPDATE tasks SET title = ?, description = ?, priority = ?, required_role = ?, risk = ?, status = ?, updated_at = ?
     WHERE id = ?`,
    input.title ?? task.title,
    input.description ?? task.description,
    input.priority ?? task.priority,
    input.required_role === undefined ? task.required_role : input.required_role,
    input.risk ?? task.risk,
    cancel ? 'cancelled' : task.status,
    op.now,
    task.id,
  );
  const updated = auditTaskChange(op, caller, task.id, cancel ? 'task.cancel' : 'task.edit', (after) =>
    cancel ? `task "${after.title}" cancelled` : `task "${after.title}" edited`,
  );
  return { task: updated, lease_expires_at: null };
}

/**
 * The lead sets the risk tier of a task in progress (the quality rules its completion must meet):
 * one `task.edit` event; the claim, its fence and lease stay as they are.
 */
function setRisk(op: Op, caller: Caller, task: TaskRow, risk: TaskRow['risk']): ReturnType<typeof auditTaskChange> {
  op.sql.run('UPDATE tasks SET risk = ?, updated_at = ? WHERE id = ?', risk, op.now, task.id);
  return auditTaskChange(op, caller, task.id, 'task.edit', (after) => `task "${after.title}" risk set to ${risk}`);
}

/**
 * A vote on a task in progress, for its current claim (fence): one vote per agent and claim, a
 * later one replacing the earlier, never by the holder (its own work). A review stands alone in its
 * call. One `task.review` event carrying the vote.
 */
function reviewTask(op: Op, caller: Caller, task: TaskRow, input: ToolInput<'team_task_update'>): ReturnType<typeof taskEntity> {
  const { task_id: _task, review, ...rest } = input;
  if (Object.values(rest).some((value) => value !== undefined)) {
    throw new TeamError('INVALID_INPUT', 'a review stands alone: give task_id and review only');
  }
  if (task.status !== 'in_progress') {
    throw new TeamError('CONFLICT', `task ${task.id} is ${task.status}: only a task in progress (its claim) is reviewed`, { status: task.status });
  }
  if (task.owner_agent_id === caller.agent.id) {
    throw new TeamError('DENIED', `you hold task ${task.id}: a review must come from another agent`, { task_id: task.id, rule: 'review:not-the-holder' });
  }
  op.sql.run(
    `INSERT INTO task_reviews (team_id, task_id, fence, reviewer_agent_id, verdict, at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (task_id, fence, reviewer_agent_id) DO UPDATE SET verdict = excluded.verdict, at = excluded.at`,
    caller.team.id,
    task.id,
    task.fence,
    caller.agent.id,
    review,
    op.now,
  );
  const entity = taskEntity(op, task);
  const vote = { task_id: task.id, fence: task.fence, reviewer_agent_id: caller.agent.id, verdict: review, at: iso(op.now) };
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.agent.id,
    action: 'task.review',
    subjectId: task.id,
    reason: `${toAgent(caller.agent).name} ${review === 'approve' ? 'approved' : 'asked for changes to'} task "${task.title}" (claim ${task.fence})`,
    data: { review: vote },
  });
  return entity;
}
