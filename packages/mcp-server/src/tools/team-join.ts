import { agentRef, teamRef } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';
import { hashTicket } from '../runtime';

/** team_join: consumes a teammate's one-use join ticket and binds this session to that agent. */
export function registerTeamJoin(registry: ToolRegistry): void {
  registry.registerUnbound('team_join', async (input, { store, session, tickets, authorization }) => {
    const resume = tickets.issue('resume');
    const { team, agent } = await session.bind(() =>
      store.joinAgent({
        joinTicketHash: hashTicket(input.ticket),
        resumeTicketHash: resume.hash,
        authorization,
        ...(session.codexThreadId === null ? {} : { codexThreadId: session.codexThreadId }),
      }),
    );
    return { team: teamRef(team), objective: team.objective, agent: agentRef(agent), resume_ticket: resume.ticket };
  });
}
