import { DEFAULTS, TeamError } from '@codex-team/contracts';
import type { ToolRegistry } from '../tool-registry';

/**
 * team_start: makes a team under a policy profile (default "default"), binds this session as its
 * lead, returns the lead's resume ticket. max_threads defaults to the profile's threads.default,
 * lowered to Codex's own thread cap when the server knows it, and may not exceed the profile's
 * threads.hard_cap (a larger explicit value is kept; the team's thread cap still applies Codex's).
 */
export function registerTeamStart(registry: ToolRegistry): void {
  registry.registerUnbound('team_start', async (input, { store, session, tickets, policy, authorization }) => {
    const profileName = input.profile ?? DEFAULTS.profile;
    const profile = policy.profileNamed(profileName);
    const codexCap = policy.codexThreadCap?.teammates;
    const maxThreads = input.max_threads ?? Math.max(1, Math.min(profile.threads.default, codexCap ?? profile.threads.default));
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
