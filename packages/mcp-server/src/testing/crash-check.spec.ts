import type { Agent, AuditEvent, Task, TaskStatus } from '@codex-team/contracts';
import { checkCrashRun, problems, type CrashRunInput } from './crash-check';

// The crash test's broken writers only ever make the checker report completedTwice and unaudited;
// these hand-built runs show every other kind of problem reported, and a correct run reporting none.

const TEAM = 'tm_team';
const LEAD = 'ag_lead';
const AT = '2026-01-01T00:00:00.000Z';

function task(id: string, status: TaskStatus, fence: number, owner: string | null, dependsOn: string[] = []): Task {
  return {
    id,
    team_id: TEAM,
    title: id,
    description: '',
    required_role: null,
    priority: 0,
    risk: 'low',
    status,
    depends_on: dependsOn,
    owner_agent_id: owner,
    fence,
    lease_expires_at: null,
    attempts: fence,
    progress: null,
    result: null,
    created_by: LEAD,
    created_at: AT,
    updated_at: AT,
    completed_at: null,
  };
}

function agent(id: string, state: Agent['state']): Agent {
  return { id, team_id: TEAM, name: id, role: 'implementer', state, created_at: AT, joined_at: AT, last_seen_at: AT };
}

/** Numbers events 1..n in the given order: the trail as the store lists it. */
function trail(events: readonly Step[]): AuditEvent[] {
  return events.map(([action, subject, data], i) => ({
    seq: i + 1,
    team_id: TEAM,
    at: AT,
    actor_agent_id: LEAD,
    action,
    subject_id: subject,
    decision: 'allow',
    reason: '',
    data,
  }));
}

type Step = readonly [action: string, subject: string, data: Record<string, unknown>];

const stepsOf = (events: readonly AuditEvent[]): Step[] => events.map((e) => [e.action, e.subject_id ?? '', e.data] as const);

function reorder<T>(list: readonly T[], order: readonly number[]): T[] {
  return order.map((i) => {
    const item = list[i];
    if (item === undefined) throw new Error(`no item ${i}`);
    return item;
  });
}

/** A correct run: one teammate does t1, then t2, which depends on t1. */
function cleanRun(): CrashRunInput {
  const t1 = task('tk_1', 'done', 1, 'ag_ann');
  const t2 = task('tk_2', 'done', 1, 'ag_ann', ['tk_1']);
  return {
    events: trail([
      ['team.start', TEAM, { agent: agent(LEAD, 'active') }],
      ['agent.spawn', 'ag_ann', { agent: agent('ag_ann', 'invited') }],
      ['agent.join', 'ag_ann', { agent: agent('ag_ann', 'active') }],
      ['task.create', 'tk_1', { task: task('tk_1', 'ready', 0, null) }],
      ['task.create', 'tk_2', { task: task('tk_2', 'blocked', 0, null, ['tk_1']) }],
      ['task.claim', 'tk_1', { task: task('tk_1', 'in_progress', 1, 'ag_ann') }],
      ['task.complete', 'tk_1', { task: t1, unblocked_tasks: [task('tk_2', 'ready', 0, null, ['tk_1'])] }],
      ['task.claim', 'tk_2', { task: task('tk_2', 'in_progress', 1, 'ag_ann', ['tk_1']) }],
      ['task.complete', 'tk_2', { task: t2 }],
    ]),
    tasks: [t1, t2],
    agents: [agent(LEAD, 'active'), agent('ag_ann', 'active')],
    rows: { tasks: { rows: 2 }, agents: { rows: 2 }, messages: { rows: 0 }, artifacts: { rows: 0 } },
    leadAgentId: LEAD,
    maxThreads: 1,
    acked: [
      { task: 'tk_1', fence: 1 },
      { task: 'tk_2', fence: 1 },
    ],
  };
}

describe('checkCrashRun', () => {
  it('reports nothing for a correct run', () => {
    const report = checkCrashRun(cleanRun());
    expect(problems(report)).toEqual([]);
    expect(report).toEqual({
      tasks: 2,
      notDone: [],
      completedTwice: [],
      ackedWithoutEvent: [],
      unaudited: [],
      rowsWithoutEvents: [],
      claimedBeforeDeps: [],
      maxActiveTeammates: 1,
      threadCapExceededAt: [],
    });
  });

  it('reports a task that is not done', () => {
    const run = cleanRun();
    const last = run.events.length - 1;
    const t2 = task('tk_2', 'in_progress', 1, 'ag_ann', ['tk_1']);
    run.events = run.events.slice(0, last);
    run.tasks = [run.tasks[0] as Task, t2];
    run.acked = run.acked.slice(0, 1);
    expect(problems(checkCrashRun(run))).toEqual(['not done: 1 (tk_2)']);
  });

  it('reports a task completed twice', () => {
    const run = cleanRun();
    const t2 = run.tasks[1] as Task;
    run.events = trail([...stepsOf(run.events), ['task.complete', 'tk_2', { task: t2 }]]);
    expect(problems(checkCrashRun(run))).toEqual(['completed twice: 1 (tk_2)']);
  });

  it('reports an acknowledged completion with no task.complete of that task and fence', () => {
    const run = cleanRun();
    run.acked = [...run.acked, { task: 'tk_1', fence: 2 }];
    expect(problems(checkCrashRun(run))).toEqual(['acknowledged without event: 1 (tk_1@2)']);
  });

  it('reports a task row that differs from its latest event', () => {
    const run = cleanRun();
    run.tasks = [run.tasks[0] as Task, task('tk_2', 'done', 2, 'ag_ann', ['tk_1'])];
    expect(checkCrashRun(run).unaudited).toEqual(['task tk_2: row ["done","ag_ann",2], events ["done","ag_ann",1]']);
  });

  it('reports an agent row that differs from its latest event', () => {
    const run = cleanRun();
    run.agents = [agent(LEAD, 'active'), agent('ag_ann', 'disconnected')];
    expect(problems(checkCrashRun(run))).toEqual(['changed without event: 1 (agent ag_ann: row disconnected, events active)']);
  });

  it('reports an agent whose last_seen_at moved without an event', () => {
    const run = cleanRun();
    run.agents = [agent(LEAD, 'active'), { ...agent('ag_ann', 'active'), last_seen_at: '2026-01-01T00:00:05.000Z' }];
    expect(problems(checkCrashRun(run))).toEqual(['changed without event: 1 (agent ag_ann: row active, events active)']);
  });

  it('reports a table with more rows than events that create them', () => {
    const run = cleanRun();
    run.rows = { ...run.rows, messages: { rows: 1 } };
    expect(problems(checkCrashRun(run))).toEqual(['rows without events: 1 (messages: 1 rows, 0 events)']);
  });

  it('reports a claim before a dependency completed, even when the dependency completes later', () => {
    const run = cleanRun();
    // tk_2's claim moved before tk_1's claim and completion; the rows stay as they are.
    run.events = trail(reorder(stepsOf(run.events), [0, 1, 2, 3, 4, 7, 5, 6, 8]));
    expect(problems(checkCrashRun(run))).toEqual(['claimed before dependencies: 1 (tk_2 before tk_1)']);
  });

  it('reports each event at which more teammates than max_threads were active', () => {
    const run = cleanRun();
    const events = stepsOf(run.events);
    run.events = trail([
      ...events.slice(0, 3),
      ['agent.spawn', 'ag_bob', { agent: agent('ag_bob', 'invited') }],
      ['agent.join', 'ag_bob', { agent: agent('ag_bob', 'active') }],
      ['agent.lost', 'ag_bob', { agent: agent('ag_bob', 'disconnected') }],
      ...events.slice(3),
    ]);
    run.agents = [...run.agents, agent('ag_bob', 'disconnected')];
    run.rows = { ...run.rows, agents: { rows: 3 } };
    const report = checkCrashRun(run);
    expect(problems(report)).toEqual(['thread cap exceeded at seq: 1 (5)']);
    expect(report.maxActiveTeammates).toBe(2);
  });
});
