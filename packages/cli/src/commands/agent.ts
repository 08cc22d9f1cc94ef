import { TeamError } from '@codex-team/contracts';
import { findRollout } from '@codex-team/mcp-server';
import type { CliIo } from '../cli-io';
import { resolveCodexHome } from '../codex/codex-paths';
import { TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { STORE_OPTION_DETAIL } from '../team-view/store-engine';
import { usageLine, usageView } from '../team-view/usage-view';
import { flagOption, requiredPositional, stringOption, type Command } from './command';

function transcriptOf(io: CliIo, flag: string | undefined, threadId: string | null): string | null {
  return threadId === null ? null : findRollout(resolveCodexHome(flag, io), threadId);
}

/** `codex-team agent TEAM NAME`: one agent, its claims, its recent messages, its Codex thread and transcript. */
export const agentCommand: Command = {
  name: 'agent',
  summary: 'Show one agent: its state, claimed tasks, recent messages, tokens, Codex thread and transcript path',
  synopsis: 'TEAM NAME [--codex-home DIR] [--db PATH|URL] [--json]',
  details: [
    'TEAM             a team id or name',
    'NAME             an agent name or id',
    '--codex-home DIR where Codex keeps its sessions (default: $CODEX_HOME, else ~/.codex), for the transcript path',
    STORE_OPTION_DETAIL,
    '--json           print JSON instead of text',
    'The store is opened read-only.',
  ],
  options: { ...TEAM_SOURCE_OPTIONS, 'codex-home': { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 2,
  run(args, io) {
    const ref = requiredPositional(args, 0, 'a team id or name');
    const name = requiredPositional(args, 1, 'an agent name or id');
    return withTeamSource(args.values, io, async (source) => {
      const { snapshot } = await source.view(ref);
      const agent = snapshot.agents.find((a) => a.id === name || a.name === name);
      if (agent === undefined) throw new TeamError('NOT_FOUND', `no agent "${name}" in team ${snapshot.team.name}`);
      const threadId = await source.store.readAgentCodexThread(agent.id);
      const model = {
        agent,
        claimed_tasks: snapshot.tasks.filter((task) => task.status === 'in_progress' && task.owner_agent_id === agent.id),
        recent_messages: snapshot.messages.filter((m) => m.from_agent_id === agent.id || m.to_agent_id === agent.id).slice(-10),
        codex_thread_id: threadId,
        usage: usageView(snapshot.usage, agent.id),
        transcript_path: transcriptOf(io, stringOption(args.values, 'codex-home'), threadId),
      };
      if (flagOption(args.values, 'json')) {
        io.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
        return 0;
      }
      const names = new Map(snapshot.agents.map((a) => [a.id, a.name] as const));
      const lines = [
        `agent ${agent.name} (${agent.id})  ${agent.role}  ${agent.state}  last seen ${agent.last_seen_at ?? 'never'}`,
        `codex thread: ${threadId ?? '-'}`,
        `transcript: ${model.transcript_path ?? '-'}`,
        usageLine(model.usage, 'agent'),
        `claimed: ${model.claimed_tasks.map((task) => `${task.id} ${task.title}`).join('; ') || '-'}`,
        'recent messages:',
        ...(model.recent_messages.length === 0
          ? ['  -']
          : model.recent_messages.map((m) => `  ${m.created_at}  ${m.from_agent_id === agent.id ? `-> ${m.to_agent_id === null ? '*' : (names.get(m.to_agent_id) ?? m.to_agent_id)}` : `<- ${m.sender_kind === 'operator' ? 'operator' : m.from_agent_id === null ? 'codex-team' : (names.get(m.from_agent_id) ?? m.from_agent_id)}`}: ${m.body}`)),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    });
  },
};
