import type { ToolRegistry } from '../tool-registry';

/**
 * The key under which `codex-team install` registers this server in Codex's config; the model
 * sees its tools as namespace `mcp__team`.
 */
export const MCP_SERVER_KEY = 'team';

/** The text the lead pastes into Codex's spawn_agent message. It carries the join ticket. */
export function spawnInstruction(teammate: { name: string; role: string }, teamName: string, ticket: string): string {
  return [
    `You are ${teammate.name}, the ${teammate.role} of team "${teamName}".`,
    `First call the team_join tool of the "${MCP_SERVER_KEY}" MCP server with {"ticket":"${ticket}"}.`,
    'Then loop: team_task_next to claim a task; do the work; team_task_complete with its task_id, fence',
    'and evidence in result (what you did and how you checked it). Check team_inbox between tasks and',
    'answer with team_send. Stop when team_task_next returns no task.',
  ].join(' ');
}

/**
 * team_spawn (lead): registers a teammate and returns its join ticket and spawn instruction. The
 * thread cap and the team's budget are checked inside the store's transaction; a budget refusal
 * is audited there.
 */
export function registerTeamSpawn(registry: ToolRegistry): void {
  registry.registerBound('team_spawn', async (input, { store, actor, bound, tickets }) => {
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
      spawn_instruction: spawnInstruction(agent, teamLabel, join.ticket),
    };
  });
}
