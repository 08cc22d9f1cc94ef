import { agentRef, teamRef } from '@codex-team/contracts';
import { briefOf } from '../brief';
import type { ToolRegistry } from '../tool-registry';
import { hashTicket } from '../runtime';

/**
 * team_resume: re-binds a restarted session to its agent (the older session stops being bound)
 * and rotates its resume ticket: the answer carries the next one, and the ticket used binds
 * nothing afterwards, so a copy of it cannot take the agent over later. Then it runs a recovery
 * sweep of the team so that nothing due is left undone (a failed sweep is logged and left to the
 * timer: the session is bound either way), and returns the agent's brief (as team_brief): its
 * claims, unread messages, the team and what recovery did since its previous session began.
 */
export function registerTeamResume(registry: ToolRegistry): void {
  registry.registerUnbound('team_resume', async (input, { store, session, sweeper, tickets, authorization, policy }) => {
    const next = tickets.issue('resume');
    const { team, agent } = await session.bind(() =>
      store.resumeAgent({
        resumeTicketHash: hashTicket(input.ticket),
        nextResumeTicketHash: next.hash,
        authorization,
        ...(session.codexThreadId === null ? {} : { codexThreadId: session.codexThreadId }),
      }),
    );
    const actor = { teamId: team.id, agentId: agent.id };
    if (team.state === 'active') await sweeper.trySweep({ teamId: team.id });
    return { team: teamRef(team), agent: agentRef(agent), resume_ticket: next.ticket, brief: await briefOf(store, actor, (of) => policy.profileOf(of)) };
  });
}
