import { DEFAULTS, TeamError } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_start: makes a team under a policy profile (default "default"), binds this session as its
 * lead, returns the lead's resume ticket. max_threads defaults to the profile's threads.default and
 * may not exceed its threads.hard_cap.
 */
export function registerTeamStart(registry: ToolRegistry): void {
  registry.registerUnbound('team_start', async (input, { store, session, tickets, policy, authorization }) => {
    const profileName = input.profile ?? DEFAULTS.profile;
    const profile = policy.profileNamed(profileName);
    const maxThreads = input.max_threads ?? profile.threads.default;
    if (maxThreads > profile.threads.hard_cap) {
      throw new TeamError(
        'INVALID_INPUT',
        `max_threads ${maxThreads} exceeds threads.hard_cap ${profile.threads.hard_cap} of profile ${profileName}`,
        { issues: [{ path: 'max_threads', message: `must be at most ${profile.threads.hard_cap} under profile ${profileName}` }] },
      );
    }
    const resume = tickets.issue('resume');
    const { team, agent } = await session.bind(() =>
      store.createTeam({
        name: input.name,
        objective: input.objective,
        maxThreads,
        profile: profileName,
        leadName: input.lead_name,
        resumeTicketHash: resume.hash,
        authorization,
        ...(session.codexThreadId === null ? {} : { codexThreadId: session.codexThreadId }),
      }),
    );
    return { team, agent, resume_ticket: resume.ticket };
  });
}
