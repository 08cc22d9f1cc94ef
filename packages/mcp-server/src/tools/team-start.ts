import { DEFAULTS } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/** team_start: makes a team, binds this session as its lead, returns the lead's resume ticket. */
export function registerTeamStart(registry: ToolRegistry): void {
  registry.registerUnbound('team_start', async (input, { store, session, tickets, authorization }) => {
    const resume = tickets.issue('resume');
    const { team, agent } = await session.bind(() =>
      store.createTeam({
        name: input.name,
        objective: input.objective,
        maxThreads: input.max_threads ?? DEFAULTS.maxThreads,
        profile: DEFAULTS.profile,
        leadName: input.lead_name,
        resumeTicketHash: resume.hash,
        authorization,
      }),
    );
    return { team, agent, resume_ticket: resume.ticket };
  });
}
