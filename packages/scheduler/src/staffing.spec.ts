import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '@codex-team/contracts';
import { ANY_ROLE, parseProfile } from '@codex-team/policy-engine';
import { staffingHints, type StaffingInput } from './staffing';

const load = (name: string) => parseProfile(readFileSync(join(__dirname, `../../../profiles/${name}.yaml`), 'utf8'), `${name}.yaml`);
const deep = load('deep'); // tasks_per_agent 1, fanout 2..6

type T = StaffingInput['tasks'][number];
const task = (id: string, over: Partial<T> = {}): T => ({
  id,
  status: 'ready',
  depends_on: [],
  priority: 0,
  required_role: null,
  owner_agent_id: null,
  ...over,
});
const agent = (id: string, role: string, state: Agent['state'] = 'active') => ({ id, role, state });
const team = { max_threads: 6, lead_agent_id: 'ag_lead' };

describe('staffingHints', () => {
  it('combines DAG readiness, busy agents and the fanout band into spawn hints', () => {
    const tasks: T[] = [
      task('plan', { status: 'done' }),
      task('api', { status: 'in_progress', depends_on: ['plan'], owner_agent_id: 'ag_impl1', required_role: 'implementer' }),
      task('ui', { depends_on: ['plan'], required_role: 'implementer' }),
      task('cli', { depends_on: ['plan'], required_role: 'implementer', priority: 2 }),
      task('review', { status: 'blocked', depends_on: ['api', 'ui'], required_role: 'reviewer' }),
      task('docs', { depends_on: ['plan'] }),
    ];
    const hints = staffingHints({
      profile: deep,
      team,
      agents: [agent('ag_lead', 'lead'), agent('ag_impl1', 'implementer'), agent('ag_old', 'tester', 'retired')],
      tasks,
      usedTokens: 0,
    });
    expect(hints.ready_by_role).toEqual({ implementer: ['ui', 'cli'], [ANY_ROLE]: ['docs'] });
    expect(hints.active_agents).toBe(1);
    expect(hints.spawn.map(({ role, count }) => ({ role, count }))).toEqual([{ role: 'implementer', count: 3 }]);
    expect(hints.spawn[0]?.reasons).toEqual([
      '1 ready task naming no role wants 1 agent (fanout.tasks_per_agent 1); 0 covered by idle agents that take implementation work, 1 more wanted',
      '2 ready implementer tasks want 2 agents (fanout.tasks_per_agent 1); 0 covered by idle implementers, 2 more wanted',
    ]);
    expect(hints.critical_path).toEqual({ path: ['api', 'review'], duration: 2 });
    expect(hints.early_stop.verdict).toBe('continue');
  });

  it('counts invited teammates against the cap, and neither the lead nor retired agents', () => {
    const hints = staffingHints({
      profile: deep,
      team: { ...team, max_threads: 3 },
      agents: [
        agent('ag_lead', 'lead'),
        agent('ag_a', 'reviewer', 'invited'),
        agent('ag_b', 'reviewer', 'active'),
        agent('ag_c', 'implementer', 'disconnected'),
      ],
      tasks: [task('t1', { required_role: 'tester' }), task('t2', { required_role: 'tester' })],
      usedTokens: 0,
    });
    expect(hints.cap).toBe(3);
    expect(hints.active_agents).toBe(2);
    expect(hints.spawn.map(({ role, count }) => ({ role, count }))).toEqual([{ role: 'tester', count: 1 }]);
  });

  it('spawns nobody and says to finalize once every task is finished', () => {
    const hints = staffingHints({
      profile: deep,
      team,
      agents: [agent('ag_lead', 'lead')],
      tasks: [task('a', { status: 'done' }), task('b', { status: 'cancelled' })],
      usedTokens: 0,
    });
    expect(hints.spawn).toEqual([]);
    expect(hints.target_agents).toBe(0);
    expect(hints.early_stop).toMatchObject({ verdict: 'stop' });
    expect(hints.reasons.at(-1)).toBe('early stop: all 2 tasks are finished (1 done): finalize the team');
    expect(hints.critical_path).toEqual({ path: [], duration: 0 });
  });

  it('passes an outside thread cap and the budget through', () => {
    const hints = staffingHints({
      profile: deep,
      team,
      agents: [],
      tasks: [task('a'), task('b'), task('c')],
      usedTokens: deep.budget.hard_tokens,
      threadCap: 2,
    });
    expect(hints.cap).toBe(2);
    expect(hints.spawn).toEqual([]);
    expect(hints.budget.state).toBe('hard_exceeded');
  });
});
