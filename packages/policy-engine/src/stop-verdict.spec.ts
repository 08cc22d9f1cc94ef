import { decideStop, type StopFacts } from './stop-verdict';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const LATER = '2026-12-01T10:05:00.000Z';
const EARLIER = '2026-12-01T09:55:00.000Z';

function facts(overrides: Partial<StopFacts> = {}): StopFacts {
  return {
    now: NOW,
    stopHookActive: false,
    team: { name: 'crew', state: 'active', lead_agent_id: 'lead' },
    agentId: 'ann',
    agents: [
      { id: 'lead', name: 'lead', state: 'active' },
      { id: 'ann', name: 'ann', state: 'active' },
      { id: 'bob', name: 'bob', state: 'active' },
    ],
    tasks: [],
    messages: [],
    acks: [],
    ...overrides,
  };
}

const held = { id: 'tk_1', title: 'Build the API', status: 'in_progress' as const, owner_agent_id: 'ann', fence: 3, lease_expires_at: LATER };

describe('decideStop for a teammate (SubagentStop)', () => {
  it('keeps a teammate working while it holds a live claim, naming the task and its fence', () => {
    const verdict = decideStop(facts({ tasks: [held] }));
    expect(verdict).toMatchObject({ decision: 'block', rule: 'stop.live_claim' });
    expect(verdict.reason).toContain('"Build the API" (task_id tk_1, fence 3)');
    expect(verdict.reason).toContain('team_task_complete');
  });

  it('lets it stop when the claim lease ran out or another agent holds the task', () => {
    expect(decideStop(facts({ tasks: [{ ...held, lease_expires_at: EARLIER }] })).decision).toBe('allow');
    expect(decideStop(facts({ tasks: [{ ...held, owner_agent_id: 'bob' }] })).decision).toBe('allow');
    expect(decideStop(facts({ tasks: [{ ...held, status: 'done' }] })).decision).toBe('allow');
  });

  it('keeps it working on unread messages from its lead (direct or broadcast), quoting the latest', () => {
    const messages = [
      { id: 'ms_1', from_agent_id: 'lead', to_agent_id: 'ann', body: 'first' },
      { id: 'ms_2', from_agent_id: 'lead', to_agent_id: null, body: 'please  also\nreview the CLI' },
    ];
    const verdict = decideStop(facts({ messages }));
    expect(verdict).toMatchObject({ decision: 'block', rule: 'stop.unread_from_lead' });
    expect(verdict.reason).toContain('2 unread messages (latest: "please also review the CLI")');
    const acks = messages.map((message) => ({ message_id: message.id, agent_id: 'ann' }));
    expect(decideStop(facts({ messages, acks })).decision).toBe('allow');
  });

  it('ignores messages from other teammates and messages to others, and acks by others', () => {
    const messages = [
      { id: 'ms_1', from_agent_id: 'bob', to_agent_id: 'ann', body: 'hi' },
      { id: 'ms_2', from_agent_id: 'lead', to_agent_id: 'bob', body: 'yours' },
      { id: 'ms_3', from_agent_id: null, to_agent_id: 'ann', body: 'recovery notice' },
    ];
    expect(decideStop(facts({ messages })).decision).toBe('allow');
    const direct = [{ id: 'ms_4', from_agent_id: 'lead', to_agent_id: 'ann', body: 'do it' }];
    expect(decideStop(facts({ messages: direct, acks: [{ message_id: 'ms_4', agent_id: 'bob' }] })).decision).toBe('block');
  });

  it('shortens a long message to a bounded quote', () => {
    const messages = [{ id: 'ms_1', from_agent_id: 'lead', to_agent_id: 'ann', body: 'x'.repeat(5_000) }];
    expect(decideStop(facts({ messages })).reason.length).toBeLessThan(400);
  });
});

describe('decideStop for the lead (Stop)', () => {
  const open = [{ id: 'tk_2', title: 'Review', status: 'ready' as const, owner_agent_id: null, fence: 0, lease_expires_at: null }];

  it('keeps the lead working while the team has unfinished work and live teammates', () => {
    const verdict = decideStop(facts({ agentId: 'lead', tasks: open }));
    expect(verdict).toMatchObject({ decision: 'block', rule: 'stop.team_working' });
    expect(verdict.reason).toContain('1 unfinished task ("Review") and 2 live teammates (ann, bob)');
    expect(verdict.reason).toContain('team_finalize');
  });

  it('lets the lead stop once the work is finished, or nobody is left to do it', () => {
    expect(decideStop(facts({ agentId: 'lead', tasks: [{ ...open[0]!, status: 'done' }] })).rule).toBe('stop.work_finished');
    const gone = facts().agents.map((agent) => (agent.id === 'lead' ? agent : { ...agent, state: 'disconnected' as const }));
    expect(decideStop(facts({ agentId: 'lead', tasks: open, agents: gone })).rule).toBe('stop.no_live_teammates');
  });
});

describe('decideStop for everyone', () => {
  it('lets go when Codex is already continuing because of a stop hook (loop safety)', () => {
    expect(decideStop(facts({ stopHookActive: true, tasks: [held] }))).toMatchObject({ decision: 'allow', rule: 'stop.hook_active' });
  });

  it('lets go once the team is finalized, or for an agent that is no longer active', () => {
    expect(decideStop(facts({ team: { name: 'crew', state: 'finalized', lead_agent_id: 'lead' }, tasks: [held] })).rule).toBe('stop.team_finalized');
    const retired = facts().agents.map((agent) => (agent.id === 'ann' ? { ...agent, state: 'retired' as const } : agent));
    expect(decideStop(facts({ agents: retired, tasks: [held] })).rule).toBe('stop.agent_not_active');
  });
});
