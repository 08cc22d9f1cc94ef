import { TeamError, agentRef, teamRef, type Agent, type Team } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';
import { spawnWith } from './team-spawn';

/** The text the lead pastes into spawn_agent for a child team's lead. It carries the lead ticket. */
export function childLeadInstruction(child: { id: string; name: string; parent_team_id?: string | undefined }, ticket: string, serverKey: string): string {
  const parent = child.parent_team_id ?? 'your parent team';
  return [
    `You lead child team "${child.name}" (${child.id}) of team ${parent}.`,
    `First call the team_join tool of the "${serverKey}" MCP server with {"ticket":"${ticket}"}.`,
    "Your team's tasks are the work delegated to it (team_task_list); team_artifact_list with",
    `{"team":"${parent}"} shows what was shared with them. Spawn teammates with team_spawn, then`,
    'spawn_agent with each spawn_instruction; if you cannot spawn agents, ask your parent\'s lead',
    '(team_status shows it) with team_send, giving team and to, to spawn them for you. When every task',
    "is done, team_finalize with a summary of what was done and how it was checked: the parent's",
    'delegated tasks are then done with it as evidence.',
  ].join(' ');
}

/**
 * team_child (lead): `start` a child team that takes over some ready tasks (one store operation; a
 * lead ticket is issued when someone else is to lead it), or `takeover` a child whose lead is lost.
 * Depth, budget, thread cap and scope are the store's to check, in its transaction.
 */
export function registerTeamChild(registry: ToolRegistry): void {
  registry.registerBound('team_child', async (input, { store, actor, tickets, policy }) => {
    if (input.action === 'takeover') {
      if (input.team === undefined) throw new TeamError('INVALID_INPUT', 'takeover needs team: the id of the child team to take over');
      return compact(await store.takeOverChild(actor));
    }
    if (input.tasks === undefined) throw new TeamError('INVALID_INPUT', 'start needs tasks: the ids of the ready tasks the child takes over');
    const ticket = input.lead === 'ticket' ? tickets.issue('join') : null;
    const started = await store.startChild(actor, {
      tasks: input.tasks,
      ...(input.tokens === undefined ? {} : { tokens: input.tokens }),
      ...(ticket === null ? {} : { leadTicketHash: ticket.hash }),
    });
    if (ticket === null) return compact(started);
    return {
      ...compact(started),
      lead_ticket: ticket.ticket,
      spawn_instruction: childLeadInstruction(started.team, ticket.ticket, policy.codexServerKey),
      spawn_with: spawnWith(`${started.team.name}_lead`),
    };
  });
}

/** The answer without the whole rows: the child and its lead as short rows, no empty ticket fields. */
function compact(started: { team: Team; lead: Agent; delegated_task_ids: string[]; task_ids: string[] }) {
  return {
    team: teamRef(started.team),
    lead: agentRef(started.lead),
    delegated_task_ids: started.delegated_task_ids,
    task_ids: started.task_ids,
  };
}
