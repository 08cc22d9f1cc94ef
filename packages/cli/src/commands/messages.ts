import { TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { STORE_OPTION_DETAIL } from '../team-view/store-engine';
import { flagOption, requiredPositional, stringOption, wholeOption, type Command } from './command';
import { TeamError } from '@codex-team/contracts';

/** `codex-team messages TEAM [--agent NAME] [--limit N]`: what the team's agents (and the operator) said. */
export const messagesCommand: Command = {
  name: 'messages',
  summary: "Show a team's messages, newest last (secrets masked)",
  synopsis: 'TEAM [--agent NAME] [--limit N] [--db PATH|URL] [--json]',
  details: [
    'TEAM             a team id or name',
    '--agent NAME     only messages from or to this agent (name or id), broadcasts included',
    '--limit N        the last N messages (default 50)',
    STORE_OPTION_DETAIL,
    '--json           print JSON instead of text',
    'The store is opened read-only.',
  ],
  options: { ...TEAM_SOURCE_OPTIONS, agent: { type: 'string' }, limit: { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const ref = requiredPositional(args, 0, 'a team id or name');
    const limit = wholeOption(args.values, 'limit', 1) ?? 50;
    const agentRef = stringOption(args.values, 'agent');
    return withTeamSource(args.values, io, async (source) => {
      const { snapshot } = await source.view(ref);
      const names = new Map(snapshot.agents.map((agent) => [agent.id, agent.name] as const));
      const agent = agentRef === undefined ? undefined : snapshot.agents.find((a) => a.id === agentRef || a.name === agentRef);
      if (agentRef !== undefined && agent === undefined) throw new TeamError('NOT_FOUND', `no agent "${agentRef}" in team ${snapshot.team.name}`);
      const picked = snapshot.messages
        .filter((m) => agent === undefined || m.from_agent_id === agent.id || m.to_agent_id === agent.id || m.to_agent_id === null)
        .slice(-limit);
      if (flagOption(args.values, 'json')) {
        io.stdout.write(`${JSON.stringify({ team_id: snapshot.team.id, messages: picked }, null, 2)}\n`);
        return 0;
      }
      const from = (m: (typeof picked)[number]): string =>
        m.sender_kind === 'operator' ? 'operator' : m.from_agent_id === null ? 'codex-team' : (names.get(m.from_agent_id) ?? m.from_agent_id);
      const lines = picked.map((m) => `${m.created_at}  ${from(m)} -> ${m.to_agent_id === null ? '*' : (names.get(m.to_agent_id) ?? m.to_agent_id)}: ${m.body}`);
      io.stdout.write(lines.length === 0 ? `no messages in team ${snapshot.team.name}\n` : `${lines.join('\n')}\n`);
      return 0;
    });
  },
};
