import { TeamError, agentRef } from '@codex-team/contracts';
import { DEFAULT_CODEX_SERVER_KEY } from '../policy-env';
import type { BoundToolContext, ToolRegistry } from '../tool-registry';

/**
 * The text the lead pastes into Codex's spawn_agent message. It carries the join ticket and names
 * the server by the key Codex registered it under (the model sees its tools as `mcp__<key>`).
 */
export function spawnInstruction(
  teammate: { name: string; role: string },
  teamName: string,
  ticket: string,
  serverKey = DEFAULT_CODEX_SERVER_KEY,
): string {
  return [
    `You are ${teammate.name}, the ${teammate.role} of team "${teamName}".`,
    `First call the team_join tool of the "${serverKey}" MCP server with {"ticket":"${ticket}"}.`,
    'Then loop: team_task_next to claim a task; do the work; team_task_complete with its task_id, fence',
    'and evidence in result (what you did and how you checked it). Check team_inbox between tasks and',
    'answer with team_send. Stop when team_task_next returns no task.',
  ].join(' ');
}

/**
 * The text the lead pastes into spawn_agent to restart a teammate on a fresh thread: it resumes the
 * agent with its new resume ticket, and team_resume answers with its brief.
 */
export function restartInstruction(
  teammate: { name: string; role: string },
  teamName: string,
  ticket: string,
  serverKey = DEFAULT_CODEX_SERVER_KEY,
): string {
  return [
    `You are ${teammate.name}, the ${teammate.role} of team "${teamName}", going on in a fresh thread.`,
    `First call the team_resume tool of the "${serverKey}" MCP server with {"ticket":"${ticket}"}: it answers with your brief`,
    '(your claims with their fences and leases, unread messages, what to read next). Carry on from it: finish your claims',
    'with team_task_complete (task_id, fence, evidence in result), then loop on team_task_next; check team_inbox between',
    'tasks. A ticket binds once: keep the resume_ticket team_resume answers for the next restart. Stop when team_task_next returns no task.',
  ].join(' ');
}

/** A v2 `task_name` for a teammate: Codex takes lowercase letters, digits and underscores only. */
export function codexTaskName(teammateName: string): string {
  const cleaned = teammateName.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return cleaned === '' ? 'teammate' : cleaned.slice(0, 48);
}

/**
 * How the lead spawns the teammate under each of Codex's multi-agent surfaces. Under v2 the task
 * name addresses the teammate, and `fork_turns: "none"` keeps the lead's history (its resume
 * ticket, other teammates' join tickets) out of the teammate's context.
 */
export function spawnWith(teammateName: string, restart = false): string {
  // A restarted teammate's old thread keeps its task name until Codex lets it go: the new one gets its own.
  const taskName = codexTaskName(restart ? `${teammateName}_next` : teammateName);
  return (
    `multi_agent_v1: ${restart ? 'close_agent the old thread, then ' : ''}spawn_agent {"message": spawn_instruction}. ` +
    `collaboration (v2): spawn_agent {"task_name": "${taskName}", "message": spawn_instruction, "fork_turns": "none"}`
  );
}

/** team_spawn with restart: a new resume ticket for an existing teammate, and how to resume it on a fresh thread. */
async function restart(input: { name: string; role: string; permission_profile?: string }, ctx: BoundToolContext) {
  if (input.permission_profile !== undefined) {
    throw new TeamError('INVALID_INPUT', 'a restarted teammate keeps its permissions: leave permission_profile out');
  }
  const resume = ctx.tickets.issue('resume');
  const agent = await ctx.store.restartAgent(ctx.actor, { name: input.name, role: input.role, resumeTicketHash: resume.hash });
  return {
    agent: agentRef(agent),
    join_ticket: resume.ticket,
    spawn_instruction: restartInstruction(agent, ctx.bound.team.name, resume.ticket, ctx.policy.codexServerKey),
    spawn_with: spawnWith(agent.name, true),
  };
}

/**
 * team_spawn (lead): registers a teammate and returns its join ticket and spawn instruction. The
 * thread cap and the team's budget are checked inside the store's transaction; a budget refusal
 * is audited there.
 */
export function registerTeamSpawn(registry: ToolRegistry): void {
  registry.registerBound('team_spawn', async (input, ctx) => {
    if (input.restart === true) return restart(input, ctx);
    const { store, actor, bound, tickets, policy } = ctx;
    const join = tickets.issue('join');
    const agent = await store.spawnAgent(actor, {
      name: input.name,
      role: input.role,
      joinTicketHash: join.hash,
      ...(input.permission_profile === undefined ? {} : { permissionProfile: input.permission_profile }),
    });
    // A teammate spawned into another team of the tree (a child the lead runs, or steers) is told that team's id.
    const teamLabel = agent.team_id === bound.team.id ? bound.team.name : agent.team_id;
    return {
      agent: agentRef(agent),
      join_ticket: join.ticket,
      spawn_instruction: spawnInstruction(agent, teamLabel, join.ticket, policy.codexServerKey),
      spawn_with: spawnWith(agent.name),
    };
  });
}
