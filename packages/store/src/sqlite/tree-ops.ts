import { LEAD_ROLE, LIMITS, TeamError } from '@codex-team/contracts';
import { carveRuling, childOutcome, depthRuling, rollUpRuling, type ClosedBy } from '@codex-team/hierarchy';
import type { Actor, ChildTeam, StartChildInput } from '../team-store';
import { agentById, logDecision, requireLead, requireTeam, requireThreadSlot, requireWriter, type Caller } from './access';
import { appendAudit } from './audit';
import { unblockDependants } from './claim-ops';
import { refusePolicy } from './policy-ops';
import { TASK_COLUMNS, toAgent, toTeam, type TaskRow, type TeamRow } from './row-mappers';
import { reloadTask, taskEntities, tasksByStatus } from './task-rows';
import type { Op } from './transaction';
import { budgetOf } from './tree-rows';

// Child teams as state changes: start (delegation), takeover, and the roll-up of a finished child
// into its parent. The rules are hierarchy's; this file applies them inside the caller's transaction.

/** `<parent>.<n>`: a child is named by its place in the tree, like Codex's task paths. */
function childName(op: Op, parent: TeamRow): string {
  const n = (op.sql.value<number>('SELECT COUNT(*) FROM teams WHERE parent_team_id = ?', parent.id) ?? 0) + 1;
  const suffix = `.${n}`;
  return `${parent.name.slice(0, LIMITS.nameMaxChars - suffix.length)}${suffix}`;
}

/** The parent's tasks a start delegates: each a ready task of the team, named once. */
function delegable(op: Op, team: TeamRow, ids: readonly string[]): TaskRow[] {
  if (ids.length === 0 || ids.length > LIMITS.delegatedTasksMax) {
    throw new TeamError('INVALID_INPUT', `a child team takes 1 to ${LIMITS.delegatedTasksMax} tasks`);
  }
  if (new Set(ids).size !== ids.length) throw new TeamError('INVALID_INPUT', 'a task is named more than once');
  return ids.map((id) => {
    const row = op.sql.get<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ? AND team_id = ?`, id, team.id);
    if (row === undefined) throw new TeamError('NOT_FOUND', `no task ${id} in team ${team.name}`, { task_id: id });
    if (row.status !== 'ready') {
      throw new TeamError('CONFLICT', `task ${id} is ${row.status}: only a ready task (dependencies done, nobody on it) can be delegated`, {
        task_id: id,
        status: row.status,
      });
    }
    return row;
  });
}

/** What the team_child answer says of a child: its delegated tasks and lead. */
function delegatedIds(op: Op, child: TeamRow): string[] {
  return op.sql
    .all<{ id: string }>('SELECT id FROM tasks WHERE delegated_to_team_id = ? AND status = \'in_progress\' ORDER BY seq', child.id)
    .map((row) => row.id);
}

/**
 * Starts a child team of the caller's team (TeamStore.startChild): depth, budget and, for an
 * invited lead, a thread slot of the tree are checked first; then the child, its lead, one task per
 * delegated brief (with its risk tier), and the delegated tasks held by the child (in progress, no
 * owner, fence + 1).
 */
export function startChild(op: Op, actor: Actor, input: StartChildInput): ChildTeam {
  const caller = requireWriter(op, actor, 'team_child');
  requireLead(op, caller, 'team_child', 'start child teams');
  const parent = caller.team;
  const profile = op.profileOf(parent.profile);
  const depth = depthRuling(profile, parent.depth);
  if (depth.decision === 'deny') refusePolicy(op, caller, depth, 'team_child', null);
  logDecision(op, parent, depth);
  const tasks = delegable(op, parent, input.tasks);
  const carve = carveRuling(budgetOf(op, parent), input.tokens);
  if (carve.decision === 'deny') refusePolicy(op, caller, carve, 'team_child', null);
  logDecision(op, parent, carve);
  const byTicket = input.leadTicketHash !== undefined;
  if (byTicket) requireThreadSlot(op, parent, 'invited_or_active', '', true);

  const childId = op.ids.next('tm');
  const leadId = op.ids.next('ag');
  const name = childName(op, parent);
  const objective = tasks.map((task) => task.title).join('; ').slice(0, LIMITS.objectiveMaxChars);
  op.sql.run(
    `INSERT INTO teams (id, name, objective, state, lead_agent_id, max_threads, profile, created_at,
       parent_team_id, root_team_id, depth, budget_tokens)
     VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)`,
    childId,
    name,
    objective,
    leadId,
    parent.max_threads,
    parent.profile,
    op.now,
    parent.id,
    parent.root_team_id,
    parent.depth + 1,
    carve.tokens,
  );
  if (byTicket) {
    op.sql.run(
      `INSERT INTO agents (id, team_id, name, role, state, epoch, join_ticket_hash, created_at)
       VALUES (?, ?, 'lead', ?, 'invited', 0, ?, ?)`,
      leadId,
      childId,
      LEAD_ROLE,
      input.leadTicketHash,
      op.now,
    );
  } else {
    // Played by the caller: its own session acts for this lead, so it holds no thread of its own.
    op.sql.run(
      `INSERT INTO agents (id, team_id, name, role, principal_agent_id, state, epoch, created_at, joined_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, 'active', 1, ?, ?, ?)`,
      leadId,
      childId,
      caller.home.agent.name,
      LEAD_ROLE,
      caller.home.agent.id,
      op.now,
      op.now,
      op.now,
    );
  }
  const childTaskIds = tasks.map((task) => {
    const id = op.ids.next('tk');
    const origin = `\n\n(Delegated from task ${task.id} of team ${parent.name}: it is done when this team finalizes.)`;
    op.sql.run(
      `INSERT INTO tasks (id, team_id, title, description, required_role, priority, risk, status, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?)`,
      id,
      childId,
      task.title,
      `${task.description.slice(0, LIMITS.descriptionMaxChars - origin.length)}${origin}`,
      task.required_role,
      task.priority,
      // The brief keeps its risk tier: the tier's quality gates apply where the work is done, since
      // the delegated task itself is done by the roll-up, with the child's evidence.
      task.risk,
      leadId,
      op.now,
      op.now,
    );
    return id;
  });
  for (const task of tasks) {
    op.sql.run(
      `UPDATE tasks SET status = 'in_progress', owner_agent_id = NULL, lease_expires_at = NULL, fence = fence + 1,
         delegated_to_team_id = ?, updated_at = ? WHERE id = ? AND status = 'ready'`,
      childId,
      op.now,
      task.id,
    );
  }
  const child = requireTeam(op, childId);
  const lead = toAgent(agentById(op, leadId));
  const childTasks = taskEntities(op, childTaskIds.map((id) => reloadTask(op, id)));
  const delegated = taskEntities(op, tasks.map((task) => reloadTask(op, task.id)));
  const leadBy = byTicket ? 'an invited lead (lead ticket)' : `${caller.home.agent.name} playing its lead`;
  appendAudit(op, {
    teamId: childId,
    actorAgentId: caller.home.agent.id,
    action: 'team.start',
    subjectId: childId,
    reason: `child team ${name} of ${parent.name} started with ${leadBy}; ${tasks.length} tasks delegated, budget ${carve.tokens} tokens`,
    data: { team: toTeam(child), agent: lead, epoch: byTicket ? 0 : 1, tasks: childTasks },
  });
  appendAudit(op, {
    teamId: parent.id,
    actorAgentId: caller.home.agent.id,
    action: 'team.delegate',
    subjectId: childId,
    reason: `${tasks.length} tasks delegated to child team ${name} (${carve.rule}: ${carve.reason})`,
    data: { tasks: delegated, child_team: toTeam(child) },
  });
  return { team: toTeam(child), lead, delegated_task_ids: tasks.map((task) => task.id), task_ids: childTaskIds };
}

/**
 * An ancestor's lead takes over a child whose lead is lost (TeamStore.takeOverChild), or is played
 * by a lost agent: it plays the lead from now on (principal), and the lost lead's tickets and
 * sessions stop working (epoch + 1).
 */
export function takeOverChild(op: Op, actor: Actor): ChildTeam {
  if (actor.inTeam === undefined) throw new TeamError('INVALID_INPUT', 'takeover needs team: the child team to take over');
  const caller: Caller = requireWriter(op, actor, 'team_child');
  const lead = agentById(op, caller.team.lead_agent_id);
  if (caller.relation !== 'parent') {
    throw new TeamError('CONFLICT', `you already lead team ${caller.team.name}`, { team: caller.team.id });
  }
  // The lead is there when its own session is active, or when the agent playing it is active: a
  // lead played by an agent that is itself lost (a lost child lead's own child) may be taken over.
  const player = lead.principal_agent_id === null ? null : agentById(op, lead.principal_agent_id);
  if ((player ?? lead).state === 'active') {
    const who = player === null ? `${lead.name} is active` : `it is played by ${player.name}, who is active`;
    throw new TeamError('CONFLICT', `team ${caller.team.name} has a lead: ${who}; message it, or cancel the team (team_finalize with force)`, {
      lead_agent_id: lead.id,
      state: lead.state,
    });
  }
  op.sql.run(
    `UPDATE agents SET principal_agent_id = ?, state = 'active', epoch = epoch + 1, join_ticket_hash = NULL,
       resume_ticket_hash = NULL, last_seen_at = ? WHERE id = ?`,
    caller.home.agent.id,
    op.now,
    lead.id,
  );
  op.sql.run('UPDATE teams SET lead_lost_at = NULL WHERE id = ?', caller.team.id);
  const after = agentById(op, lead.id);
  const agent = toAgent(after);
  appendAudit(op, {
    teamId: caller.team.id,
    actorAgentId: caller.home.agent.id,
    action: 'agent.takeover',
    subjectId: lead.id,
    reason: `${caller.home.agent.name} took over the lead of ${caller.team.name} from ${lead.name} (${lead.state}); its sessions and tickets no longer bind`,
    data: { agent, epoch: after.epoch },
  });
  return { team: toTeam(caller.team), lead: agent, delegated_task_ids: delegatedIds(op, caller.team), task_ids: [] };
}

/** How a child closed, for its roll-up. */
export interface ChildClose {
  cancelledOpen: number;
  closedBy: ClosedBy;
  actorAgentId: string | null;
  summary: string;
}

/**
 * Rolls a child team that has just been finalized up into its parent (hierarchy's childOutcome and
 * rollUpRuling): the child's outcome is recorded, what it used is charged to the parent (its carve
 * is no longer set aside), and the tasks delegated to it become done (with its summary and latest
 * artifacts as evidence; dependants unblocked), failed, or ready again. One `team.rollup` event in
 * the parent's trail. A root team has nothing to roll up into.
 */
export function finishChild(op: Op, child: TeamRow, close: ChildClose): void {
  if (child.parent_team_id === null) return;
  const parent = requireTeam(op, child.parent_team_id);
  const ended = childOutcome({ closedBy: close.closedBy, cancelledOpen: close.cancelledOpen, tasksByStatus: tasksByStatus(op, child.id) });
  const roll = rollUpRuling(op.profileOf(parent.profile), { name: child.name, ...ended });
  logDecision(op, parent, { decision: 'allow', rule: roll.rule, reason: roll.reason, inputs: { child: child.id, outcome: ended.outcome } }, roll.status);
  const spent = (op.sql.value<number>('SELECT used_tokens FROM teams WHERE id = ?', child.id) ?? 0) + child.rolled_up_tokens;
  op.sql.run('UPDATE teams SET outcome = ? WHERE id = ?', ended.outcome, child.id);
  op.sql.run('UPDATE teams SET rolled_up_tokens = rolled_up_tokens + ? WHERE id = ?', spent, parent.id);
  const evidence = op.sql
    .all<{ id: string }>(
      `SELECT id FROM artifacts a WHERE team_id = ? AND version = (SELECT MAX(version) FROM artifacts b WHERE b.team_id = a.team_id AND b.name = a.name)
       ORDER BY name`,
      child.id,
    )
    .map((row) => row.id);
  const held = op.sql.all<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE team_id = ? AND delegated_to_team_id = ? AND status = 'in_progress' ORDER BY seq`,
    parent.id,
    child.id,
  );
  const result = `${roll.reason}${close.summary === '' ? '' : `. Its summary: ${close.summary}`}`.slice(0, LIMITS.resultMaxChars);
  const unblocked: TaskRow[] = [];
  for (const task of held) {
    if (roll.status === 'ready') {
      op.sql.run(
        "UPDATE tasks SET status = 'ready', delegated_to_team_id = NULL, result = NULL, updated_at = ? WHERE id = ?",
        op.now,
        task.id,
      );
      continue;
    }
    op.sql.run(
      'UPDATE tasks SET status = ?, result = ?, result_artifact_ids = ?, completed_at = ?, updated_at = ? WHERE id = ?',
      roll.status,
      result,
      JSON.stringify(roll.status === 'done' ? evidence : []),
      op.now,
      op.now,
      task.id,
    );
    if (roll.status === 'done') unblocked.push(...unblockDependants(op, task.id));
  }
  appendAudit(op, {
    teamId: parent.id,
    actorAgentId: close.actorAgentId,
    action: 'team.rollup',
    subjectId: child.id,
    reason: `${roll.rule}: ${roll.reason}; ${held.length} delegated tasks ${roll.status}; ${spent} tokens charged, ${
      (child.budget_tokens ?? 0) - spent
    } of the carve refunded`,
    data: {
      team: toTeam(requireTeam(op, parent.id)),
      tasks: taskEntities(op, held.map((task) => reloadTask(op, task.id))),
      unblocked_tasks: taskEntities(op, unblocked),
      child: { team_id: child.id, outcome: ended.outcome, spent_tokens: spent, artifact_ids: roll.status === 'done' ? evidence : [] },
    },
  });
}
