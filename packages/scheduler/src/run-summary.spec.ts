import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts';
import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { OPEN_POLICY, openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';
import { runSummary, workIntervals } from './run-summary';
import type { AuditEvent } from '@codex-team/contracts';
import { fanoutDecisionKey, teamHints } from './team-hints';

const catalog = ProfileCatalog.load({ builtinDir: findBuiltinProfilesDir(__dirname) });
const profile = (name: string) => catalog.find(name).profile;

let dir: string;
let store: SqliteTeamStore;
let clock: FakeClock;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-summary-'));
  clock = new FakeClock();
  store = await openSqliteTeamStore({
    path: join(dir, 'team.db'),
    clock,
    ids: new SequentialIdGenerator(),
    policy: {
      ...OPEN_POLICY,
      charge: (_team, used, sample) => {
        const tokens = sample.input_tokens + sample.output_tokens;
        return { tokens, reason: `charged ${tokens}`, crossed: used + tokens >= 1_000 && used < 1_000 ? 'soft' : null };
      },
    },
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function member(lead: { teamId: string; agentId: string }, name: string, role: string) {
  await store.spawnAgent(lead, { name, role, joinTicketHash: `join-${name}` });
  const bound = await store.joinAgent({ joinTicketHash: `join-${name}`, resumeTicketHash: `resume-${name}` });
  return { teamId: bound.team.id, agentId: bound.agent.id };
}

describe('runSummary', () => {
  it('measures work per agent and role, task durations, the critical path, usage and decisions', async () => {
    const start = clock.now();
    const bound = await store.createTeam({ name: 'sum', objective: '', maxThreads: 4, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const ann = await member(lead, 'ann', 'implementer');
    const bob = await member(lead, 'bob', 'tester');
    const created = await store.createTasks(lead, {
      tasks: [
        { key: 'a', title: 'a', description: '', priority: 0, depends_on: [], required_role: 'implementer' },
        { key: 'b', title: 'b', description: '', priority: 0, depends_on: ['a'], required_role: 'implementer' },
        { key: 'c', title: 'c', description: '', priority: 0, depends_on: [], required_role: 'tester' },
      ],
    });
    const [a, b, c] = created.tasks.map((t) => t.id) as [string, string, string];
    const lease = { leaseMs: 600_000 };
    clock.set(start + 1_000);
    const claimA = await store.claimTask(ann, { task_id: a }, lease);
    clock.set(start + 2_000);
    const claimC = await store.claimTask(bob, { task_id: c }, lease);
    clock.set(start + 7_000);
    await store.completeTask(bob, { task_id: c, fence: claimC.fence, outcome: 'failed', result: 'flaky', artifact_ids: [] });
    clock.set(start + 11_000);
    await store.completeTask(ann, { task_id: a, fence: claimA.fence, outcome: 'done', result: 'ok', artifact_ids: [] });
    await store.recordUsage(ann, { sample: { input_tokens: 600, output_tokens: 100 } });
    await store.recordUsage(bob, { sample: { input_tokens: 300, output_tokens: 100 } });
    clock.set(start + 12_000);
    const claimB = await store.claimTask(ann, { task_id: b }, lease);
    await store.setProfile(lead, { profile: 'fast', reason: 'hurry up' });
    clock.set(start + 32_000);
    await store.completeTask(ann, { task_id: b, fence: claimB.fence, outcome: 'done', result: 'ok', artifact_ids: [] });
    clock.set(start + 40_000);

    const snapshot = await store.readTeam(lead.teamId);
    const events = await store.listAuditEvents(lead.teamId);
    const summary = runSummary(snapshot, events, profile('fast'), clock.now());
    expect(summary.elapsed_ms).toBe(40_000);
    expect(summary.tasks_by_status).toEqual({ blocked: 0, ready: 0, in_progress: 0, done: 2, failed: 1, cancelled: 0 });
    expect(summary.ready_to_finalize.ready).toBe(true);
    expect(summary.agents.map((w) => [w.name, w.tasks_done, w.tasks_failed, w.tasks_held, w.tokens, w.busy_ms])).toEqual([
      ['lead', 0, 0, 0, 0, 0],
      ['ann', 2, 0, 0, 700, 30_000],
      ['bob', 0, 1, 0, 400, 5_000],
    ]);
    expect(summary.roles).toEqual([
      { role: 'implementer', agents: 1, tasks_done: 2, tasks_failed: 0, tokens: 700 },
      { role: 'lead', agents: 1, tasks_done: 0, tasks_failed: 0, tokens: 0 },
      { role: 'tester', agents: 1, tasks_done: 0, tasks_failed: 1, tokens: 400 },
    ]);
    expect(summary.usage).toEqual({
      samples: 2,
      budget: expect.objectContaining({ state: 'ok', used_tokens: 1_100, hard_tokens: 2_000_000 }),
    });
    expect(summary.task_durations).toEqual({ count: 3, total_ms: 35_000, mean_ms: 11_667, max_ms: 20_000 });
    expect(summary.critical_path).toEqual({ task_ids: [a, b], duration_ms: 30_000 });
    expect(summary.decisions.map((d) => [d.action, d.reason])).toEqual([
      ['usage.report', 'charged 400'],
      ['policy.switch', 'hurry up'],
    ]);
  });

  it('counts time until now for work still in progress, and until finalize for a closed team', async () => {
    const start = clock.now();
    const bound = await store.createTeam({ name: 'open', objective: '', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    const ann = await member(lead, 'ann', 'implementer');
    const [task] = (await store.createTasks(lead, { tasks: [{ title: 'long', description: '', priority: 0, depends_on: [] }] })).tasks;
    clock.set(start + 5_000);
    await store.claimTask(ann, { task_id: task?.id ?? '' }, { leaseMs: 600_000 });
    const active = runSummary(await store.readTeam(lead.teamId), await store.listAuditEvents(lead.teamId), profile('default'), start + 9_000);
    expect(active.agents.find((w) => w.name === 'ann')).toMatchObject({ tasks_held: 1, busy_ms: 4_000 });
    expect(active.critical_path).toEqual({ task_ids: [task?.id], duration_ms: 4_000 });
    expect(active.task_durations.count).toBe(0);
    clock.set(start + 15_000);
    await store.finalizeTeam(lead, { summary: 'stop', force: true });
    const closed = runSummary(await store.readTeam(lead.teamId), await store.listAuditEvents(lead.teamId), profile('default'), start + 99_000);
    expect(closed.elapsed_ms).toBe(15_000);
    expect(closed.agents.find((w) => w.name === 'ann')?.busy_ms).toBe(10_000);
  });
});

describe('teamHints', () => {
  it("recommends roles with their purpose, shows the budget and the idle teammates, and keys the decision", async () => {
    const bound = await store.createTeam({ name: 'hint', objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    await store.createTasks(lead, {
      tasks: [
        { title: 'r1', description: '', priority: 0, depends_on: [], required_role: 'reviewer' },
        { title: 'free', description: '', priority: 0, depends_on: [] },
      ],
    });
    const snapshot = await store.readTeam(lead.teamId);
    const hints = teamHints({ ...snapshot, used_tokens: 9_000_000, idle_since: { ag_x: '2026-01-01T00:00:00.000Z' } }, profile('default'));
    expect(hints.spawn.map((s) => [s.role, s.count])).toEqual([
      ['implementer', 1],
      ['reviewer', 1],
    ]);
    expect(hints.spawn[1]?.purpose).toMatch(/^Reviews finished work/);
    expect(hints.budget).toMatchObject({ state: 'soft_exceeded', used_tokens: 9_000_000, remaining_tokens: 7_000_000 });
    expect(hints.idle_agent_ids).toEqual(['ag_x']);
    expect(hints.cap).toBe(6);
    expect(fanoutDecisionKey(hints)).toEqual({
      spawn: [
        { role: 'implementer', count: 1 },
        { role: 'reviewer', count: 1 },
      ],
      target_agents: 2,
      cap: 6,
      budget: 'soft_exceeded',
    });
  });
});

describe('workIntervals', () => {
  const event = (seq: number, second: number, action: string, actor: string | null, subject: string): AuditEvent => ({
    seq,
    team_id: 'tm_t',
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    actor_agent_id: actor,
    action,
    subject_id: subject,
    decision: 'allow',
    reason: '',
    data: {},
  });
  const t0 = Date.UTC(2026, 0, 1);

  it('ends a claim where recovery took it back, not at the end of the run', () => {
    const intervals = workIntervals(
      [event(1, 1, 'task.claim', 'ag_gone', 'tk_a'), event(2, 30, 'task.recover', null, 'tk_a'), event(3, 31, 'task.claim', 'ag_next', 'tk_a'), event(4, 40, 'task.complete', 'ag_next', 'tk_a')],
      t0 + 60_000,
    );
    expect(intervals).toEqual([
      { taskId: 'tk_a', agentId: 'ag_gone', from: t0 + 1_000, to: t0 + 30_000, outcome: 'recovered' },
      { taskId: 'tk_a', agentId: 'ag_next', from: t0 + 31_000, to: t0 + 40_000, outcome: 'done' },
    ]);
  });
});
