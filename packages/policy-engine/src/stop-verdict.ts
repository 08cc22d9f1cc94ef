import { TERMINAL_TASK_STATUSES, type Agent, type Message, type Task, type Team } from '@codex-team/contracts';

/** Everything the stop decision reads: one team as the store shows it, and who wants to stop. */
export interface StopFacts {
  /** Clock.now() of the caller, in ms: a claim whose lease ran out is not live. */
  now: number;
  /**
   * Codex's `stop_hook_active`: the agent is already working on because a stop hook kept it
   * going, so it is let go whatever it holds (a hook that blocks every stop would loop forever).
   */
  stopHookActive: boolean;
  team: Pick<Team, 'name' | 'state' | 'lead_agent_id'>;
  /** The agent that wants to stop. */
  agentId: string;
  agents: readonly Pick<Agent, 'id' | 'name' | 'state'>[];
  tasks: readonly Pick<Task, 'id' | 'title' | 'status' | 'owner_agent_id' | 'fence' | 'lease_expires_at'>[];
  messages: readonly Pick<Message, 'id' | 'from_agent_id' | 'to_agent_id' | 'body'>[];
  acks: readonly { message_id: string; agent_id: string }[];
}

export interface StopVerdict {
  /** block: Codex keeps the agent working with `reason` as its next prompt. */
  decision: 'allow' | 'block';
  rule: string;
  reason: string;
}

/** How much of a message body a stop reason quotes. */
const QUOTE_CHARS = 160;

const allow = (rule: string, reason: string): StopVerdict => ({ decision: 'allow', rule, reason });
const block = (rule: string, reason: string): StopVerdict => ({ decision: 'block', rule, reason });
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS)}...` : flat);
}

function listed(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function teammateVerdict(facts: StopFacts): StopVerdict {
  const held = facts.tasks.filter(
    (task) =>
      task.status === 'in_progress' &&
      task.owner_agent_id === facts.agentId &&
      (task.lease_expires_at === null || Date.parse(task.lease_expires_at) > facts.now),
  );
  const first = held[0];
  if (first !== undefined) {
    const more = held.length > 1 ? ` (and ${plural(held.length - 1, 'other task')})` : '';
    return block(
      'stop.live_claim',
      `You still hold task "${first.title}" (task_id ${first.id}, fence ${first.fence})${more}. Before you stop, finish it ` +
        'with team_task_complete (result: what you did and how you checked it), or hand it back with team_task_release.',
    );
  }
  const acked = new Set(facts.acks.filter((ack) => ack.agent_id === facts.agentId).map((ack) => ack.message_id));
  const unread = facts.messages.filter(
    (message) =>
      message.from_agent_id === facts.team.lead_agent_id &&
      (message.to_agent_id === facts.agentId || message.to_agent_id === null) &&
      !acked.has(message.id),
  );
  const latest = unread[unread.length - 1];
  if (latest !== undefined) {
    return block(
      'stop.unread_from_lead',
      `Your lead sent you ${plural(unread.length, 'unread message')} (latest: ${quote(latest.body)}). ` +
        'Read team_inbox, act on it and ack it before you stop.',
    );
  }
  return allow('stop.nothing_held', 'no live claim and no unread message from the lead');
}

function leadVerdict(facts: StopFacts): StopVerdict {
  const open = facts.tasks.filter((task) => !TERMINAL_TASK_STATUSES.includes(task.status));
  const live = facts.agents.filter((agent) => agent.id !== facts.agentId && agent.state === 'active');
  if (open.length === 0) return allow('stop.work_finished', 'every task is finished');
  if (live.length === 0) return allow('stop.no_live_teammates', `${plural(open.length, 'task')} open but no teammate is live to work on them`);
  return block(
    'stop.team_working',
    `Team "${facts.team.name}" is still working: ${plural(open.length, 'unfinished task')} ` +
      `(${listed(open.map((task) => `"${task.title}"`))}) and ${plural(live.length, 'live teammate')} ` +
      `(${listed(live.map((agent) => agent.name))}). Wait for them (wait_agent), read team_inbox and team_status, ` +
      'and end with team_finalize {summary} (force: true cancels what is left) before you stop.',
  );
}

/**
 * Whether an agent of a team may end its turn now (Codex's Stop hook for the lead, SubagentStop
 * for a teammate). Pure. A teammate is kept working while it holds a live claim or has unread
 * messages from its lead; the lead while the team is active with unfinished work and live
 * teammates. Always allowed: when Codex is already continuing because of a stop hook
 * (`stopHookActive`), once the team is finalized, and for an agent that is no longer active.
 */
export function decideStop(facts: StopFacts): StopVerdict {
  if (facts.stopHookActive) {
    return allow('stop.hook_active', 'Codex is already continuing because of a stop hook; letting go so the agent cannot loop');
  }
  if (facts.team.state !== 'active') return allow('stop.team_finalized', 'the team is finalized');
  const agent = facts.agents.find((candidate) => candidate.id === facts.agentId);
  if (agent === undefined || agent.state !== 'active') {
    return allow('stop.agent_not_active', `agent ${facts.agentId} is ${agent?.state ?? 'not in this team'}`);
  }
  return facts.agentId === facts.team.lead_agent_id ? leadVerdict(facts) : teammateVerdict(facts);
}
