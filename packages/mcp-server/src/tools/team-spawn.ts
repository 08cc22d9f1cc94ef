import { DEFAULT_CODEX_SERVER_KEY } from '../policy-env';
import type { ToolRegistry } from '../tool-registry';

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
export function spawnWith(teammateName: string): string {
  return (
    'multi_agent_v1: spawn_agent {"message": spawn_instruction}. ' +
    `collaboration (v2): spawn_agent {"task_name": "${codexTaskName(teammateName)}", "message": spawn_instruction, "fork_turns": "none"}`
  );
}

/**
 * team_spawn (lead): registers a teammate and returns its join ticket and spawn instruction. The
 * thread cap and the team's budget are checked inside the store's transaction; a budget refusal
 * is audited there.
 */
export function registerTeamSpawn(registry: ToolRegistry): void {
  registry.registerBound('team_spawn', async (input, { store, actor, bound, tickets, policy }) => {
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
      agent,
      join_ticket: join.ticket,
      spawn_instruction: spawnInstruction(agent, teamLabel, join.ticket, policy.codexServerKey),
      spawn_with: spawnWith(agent.name),
    };
  });
}
