import { agentRef, teamRef } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_start: makes a team under a policy profile (default "default"), binds this session as its
 * lead, returns the lead's resume ticket. The store checks the profile: max_threads defaults to its
 * threads.default, lowered to Codex's own thread cap when the store was opened with it, and may
 * not exceed its threads.hard_cap (a larger explicit value is kept; the thread cap still applies
 * Codex's). The team records the server's working directory and git repository (startedFrom).
 */
export function registerTeamStart(registry: ToolRegistry): void {
  registry.registerUnbound('team_start', async (input, { store, session, tickets, authorization, startedFrom }) => {
    const resume = tickets.issue('resume');
    const { cwd, repo } = startedFrom();
    const { team, agent } = await session.bind(() =>
      store.createTeam({
        name: input.name,
        objective: input.objective,
        ...(input.max_threads === undefined ? {} : { maxThreads: input.max_threads }),
        ...(input.profile === undefined ? {} : { profile: input.profile }),
        leadName: input.lead_name,
        resumeTicketHash: resume.hash,
        authorization,
        ...(session.codexThreadId === null ? {} : { codexThreadId: session.codexThreadId }),
        cwd,
        repo,
      }),
    );
    return { team: teamRef(team), agent: agentRef(agent), resume_ticket: resume.ticket };
  });
}
