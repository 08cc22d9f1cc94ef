import type { AgentId, TeamId, ToolName } from '@codex-team/contracts';
import type { PermissionColumn } from '@codex-team/policy-engine';
import type { Actor, TeamStore } from '@codex-team/store';
import type { InProcessSession, InProcessTeam } from './in-process-team';

/** The team one matrix case runs in: its lead, the agent under test and another agent to talk to. */
export interface CaseWorld {
  store: TeamStore;
  lead: Actor;
  /** The agent whose permissions are tested (the lead itself for the lead's column). */
  me: Actor;
  myRole: string;
  /** An invited teammate other than `me`, to message. */
  peer: Actor;
}

export function actorOf(teamId: string, agentId: string): Actor {
  return { teamId: teamId as TeamId, agentId: agentId as AgentId };
}

const LEASE = { leaseMs: 60_000 };
let names = 0;
const unique = (prefix: string): string => {
  names += 1;
  return `${prefix}${names}`;
};

async function createTask(world: CaseWorld, by: Actor, requiredRole: string | null): Promise<string> {
  const created = await world.store.createTasks(by, {
    tasks: [
      {
        title: unique('task-'),
        description: '',
        priority: 0,
        depends_on: [],
        ...(requiredRole === null ? {} : { required_role: requiredRole }),
      },
    ],
  });
  const id = created.tasks[0]?.id;
  if (id === undefined) throw new Error('no task created');
  return id;
}

/** A task of `me`'s role that `me` holds (claimed through the store, so any role can set it up). */
async function heldTask(world: CaseWorld): Promise<{ task_id: string; fence: number }> {
  const taskId = await createTask(world, world.lead, world.myRole);
  const claim = await world.store.claimTask(world.me, { task_id: taskId }, LEASE);
  return { task_id: taskId, fence: claim.fence };
}

/** The task a claim case prepared, so the test can check that it (and only it) was claimed. */
export interface PreparedCall {
  args: Record<string, unknown>;
  /** For claims: the one ready task, of the action's kind. */
  claimable?: string;
}

/**
 * Arguments for a call of `tool` with `action` by `me` that succeeds when the action is allowed,
 * after preparing what it needs through the store (which checks no permissions). Covers every
 * permission-gated tool and action of the table; anything else throws, so a new action cannot be
 * left out of the matrix silently.
 */
export async function prepareCall(world: CaseWorld, tool: ToolName, action: string): Promise<PreparedCall> {
  const key = `${tool}:${action}`;
  switch (key) {
    case 'team_status:read':
    case 'team_task_list:read':
    case 'team_artifact_list:read':
    case 'team_inbox:read':
    case 'team_policy:read':
    case 'team_run_summary:read':
    case 'team_recover:recover':
    case 'team_brief:read':
    case 'team_checkpoint:checkpoint':
      return { args: {} };
    case 'team_run_summary:audit':
      return { args: { log: 'audit' } };
    case 'team_run_summary:decisions':
      return { args: { log: 'decisions' } };
    case 'team_heartbeat:heartbeat':
      return { args: { tasks: [await heldTask(world)] } };
    case 'team_policy:set':
      return { args: { profile: 'fast' } };
    case 'team_finalize:finalize':
      return { args: { summary: 'all done' } };
    case 'team_finalize:force':
      await createTask(world, world.lead, null);
      return { args: { summary: 'stopped', force: true } };
    case 'team_spawn:spawn':
      return { args: { name: unique('mate'), role: 'tester' } };
    case 'team_spawn:grant':
      return { args: { name: unique('mate'), role: 'tester', permission_profile: 'observer' } };
    case 'team_spawn:restart': {
      // The peer, joined (through the store, which checks no permissions) so it may be restarted.
      // It already holds a thread slot: restarting it takes none the later cells need.
      const team = await world.store.readTeam(world.lead.teamId);
      if (team.agents.find((agent) => agent.id === world.peer.agentId)?.state === 'invited') {
        await world.store.joinAgent({ joinTicketHash: `peer-${world.lead.teamId}`, resumeTicketHash: unique('peer-resume-') });
      }
      return { args: { name: 'peer', role: 'implementer', restart: true } };
    }
    case 'team_task_create:create':
      return { args: { tasks: [{ title: 'new work' }] } };
    case 'team_task_next:own_role':
      return { args: {}, claimable: await createTask(world, world.lead, world.myRole) };
    case 'team_task_next:unassigned':
      return { args: {}, claimable: await createTask(world, world.lead, null) };
    case 'team_task_update:progress':
      return { args: { ...(await heldTask(world)), progress: 'halfway' } };
    case 'team_task_update:edit':
      return { args: { task_id: await createTask(world, world.me, null), title: 'edited' } };
    case 'team_task_update:status=cancelled':
      return { args: { task_id: await createTask(world, world.me, null), cancel: true } };
    case 'team_task_update:risk':
      return { args: { task_id: await createTask(world, world.me, null), risk: 'high' } };
    case 'team_task_update:review': {
      // A task another agent holds: a review never comes from the holder.
      const taskId = await createTask(world, world.lead, null);
      await world.store.claimTask(world.peer, { task_id: taskId }, { leaseMs: 60_000 });
      return { args: { task_id: taskId, review: 'approve' } };
    }
    case 'team_task_complete:status=done':
      return { args: { ...(await heldTask(world)), result: 'done and checked' } };
    case 'team_task_complete:status=failed':
      return { args: { ...(await heldTask(world)), result: 'could not', outcome: 'failed' } };
    case 'team_task_release:release':
      return { args: { ...(await heldTask(world)), reason: 'blocked elsewhere' } };
    case 'team_send:direct':
      return { args: { to: world.peer.agentId, body: 'hello' } };
    case 'team_send:broadcast':
      return { args: { to: '*', body: 'hello all' } };
    case 'team_inbox:ack': {
      const sent = await world.store.sendMessage(world.peer, { to: world.me.agentId, body: 'ping', artifact_refs: [] });
      return { args: { ack: [sent.message.id] } };
    }
    case 'team_artifact_publish:publish':
      return { args: { name: unique('notes-'), content: 'findings' } };
    case 'team_artifact_read:read': {
      const artifact = await world.store.publishArtifact(world.lead, { name: unique('plan-'), content: 'plan', media_type: 'text/plain', plan: false });
      return { args: { artifact_id: artifact.id } };
    }
    case 'team_mode:read':
      return { args: {} };
    case 'team_mode:set':
      return { args: { mode: 'plan', reason: 'matrix: plan first' } };
    case 'team_plan:submit': {
      const plan = await world.store.publishArtifact(world.me, { name: unique('plan-'), content: 'my plan', media_type: 'text/markdown', plan: true });
      return { args: { action: 'submit', artifact_id: plan.id } };
    }
    case 'team_plan:approve':
    case 'team_plan:reject': {
      const plan = await world.store.publishArtifact(world.peer, { name: unique('plan-'), content: 'their plan', media_type: 'text/markdown', plan: true });
      await world.store.submitPlan(world.peer, plan.id);
      return { args: { action: action, artifact_id: plan.id, reason: 'matrix review' } };
    }
    case 'team_child:start':
      return { args: { action: 'start', tasks: [await createTask(world, world.lead, null)] } };
    case 'team_child:takeover': {
      // A child whose lead was invited and never joined: nobody leads it, so it may be taken over.
      const child = await world.store.startChild(world.lead, { tasks: [await createTask(world, world.lead, null)], leadTicketHash: unique('lead-ticket-') });
      return { args: { action: 'takeover', team: child.team.id } };
    }
    default:
      throw new Error(`no matrix case for ${key}: add one to prepareCall`);
  }
}

/** A fresh team with the column's agent bound in its own session (the lead, for the lead's column). */
export async function worldFor(team: InProcessTeam, column: PermissionColumn): Promise<{ world: CaseWorld; me: InProcessSession }> {
  const { lead, started } = await team.startTeam({ name: 'matrix' });
  const leadActor = actorOf(started.team.id, started.agent.id);
  let me = lead;
  let meActor = leadActor;
  let myRole = 'lead';
  if (column.role !== 'lead') {
    // `*` stands for any role the file does not name; a grant column is a tester given that profile.
    myRole = column.role === '*' ? 'builder' : (column.role ?? 'tester');
    const grant = column.role === null && column.profile !== null ? { permission_profile: column.profile } : {};
    const spawned = await lead.caller.ok('team_spawn', { name: 'me', role: myRole, ...grant });
    me = await team.connect();
    const joined = await me.caller.ok('team_join', { ticket: spawned.join_ticket });
    meActor = actorOf(started.team.id, joined.agent.id);
  }
  const peer = await team.store.spawnAgent(leadActor, { name: 'peer', role: 'implementer', joinTicketHash: `peer-${started.team.id}` });
  return { world: { store: team.store, lead: leadActor, me: meActor, myRole, peer: actorOf(started.team.id, peer.id) }, me };
}

/** Cancels the team's unfinished tasks, so a claim case finds only the task it prepares. */
export async function tidy(world: CaseWorld): Promise<void> {
  const open = await world.store.listTasks(world.lead, { status: ['blocked', 'ready'], limit: 500 });
  for (const task of open.tasks) await world.store.updateTask(world.lead, { task_id: task.id, cancel: true }, { leaseMs: 60_000 });
  // A mode set by an earlier cell would gate this one: permissions are tested in default mode.
  if ((await world.store.readMode(world.lead)).current !== 'default') {
    await world.store.setMode(world.lead, { mode: 'default', reason: 'matrix: next cell' });
  }
}
