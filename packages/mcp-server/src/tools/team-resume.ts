import type { ToolRegistry } from '../tool-registry';
import { hashTicket } from '../runtime';

/** team_resume: re-binds a restarted session to its agent; the older session stops being bound. */
export function registerTeamResume(registry: ToolRegistry): void {
  registry.registerUnbound('team_resume', async (input, { store, session, authorization }) => {
    const { team, agent } = await session.bind(() => store.resumeAgent(hashTicket(input.ticket), authorization));
    return { team, agent };
  });
}
