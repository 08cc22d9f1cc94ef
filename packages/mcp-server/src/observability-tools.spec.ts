import type { RunSummary } from '@codex-team/contracts';
import { replayAuditTrail } from '@codex-team/store';
import { InProcessTeam } from './testing/in-process-team';

describe('observability tools', () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  it('team_run_summary measures the run: work per agent and role, durations, critical path, usage, decisions', async () => {
    const { lead } = await team.startTeam({ name: 'measured' });
    const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
    const created = await lead.caller.ok('team_task_create', {
      tasks: [{ key: 'a', title: 'first' }, { key: 'b', title: 'second', depends_on: ['a'] }, { title: 'side' }],
    });
    // Claimed in order: first, then second (unblocked, older than side), then side.
    for (const seconds of [30, 50, 10]) {
      const claim = await mate.caller.ok('team_task_next');
      team.clock.advance(seconds * 1_000);
      await mate.caller.ok('team_task_complete', {
        task_id: claim.claim?.task.id,
        fence: claim.claim?.fence,
        result: 'ok',
        usage: { input_tokens: 1_000, output_tokens: 500 },
      });
    }
    await lead.caller.ok('team_policy', { profile: 'deep' });
    const summary = (await mate.caller.ok('team_run_summary')) as RunSummary;
    expect(summary.tasks_by_status.done).toBe(3);
    expect(summary.ready_to_finalize.ready).toBe(true);
    expect(summary.agents.find((a) => a.agent_id === joined.agent.id)).toMatchObject({
      tasks_done: 3,
      tokens: 4_500,
      busy_ms: 90_000,
    });
    expect(summary.roles.map((r) => r.role)).toEqual(['implementer', 'lead']);
    expect(summary.task_durations).toEqual({ count: 3, total_ms: 90_000, mean_ms: 30_000, max_ms: 50_000 });
    const [a, b] = created.ids;
    expect(summary.critical_path).toEqual({ task_ids: [a, b], duration_ms: 80_000 });
    expect(summary.usage).toMatchObject({ samples: 3, budget: { state: 'ok', used_tokens: 4_500 } });
    expect(summary.decisions.map((d) => d.action)).toEqual(['policy.switch']);
    expect(summary.elapsed_ms).toBe(90_000);
  });

  it('team_run_summary with log pages the audit trail in order for the lead, and replaying it rebuilds the store state', async () => {
    const { lead, started } = await team.startTeam({ name: 'replayed' });
    const { mate } = await team.joinTeammate(lead, 'ann', 'implementer');
    await lead.caller.ok('team_task_create', { tasks: [{ title: 'x' }, { title: 'y' }] });
    const claim = await mate.caller.ok('team_task_next');
    await mate.caller.ok('team_task_complete', { task_id: claim.claim?.task.id, fence: claim.claim?.fence, result: 'ok' });
    await mate.caller.ok('team_send', { to: started.agent.id, body: 'done with x' });
    await lead.caller.ok('team_status');

    expect(await mate.caller.code('team_run_summary', { log: 'audit' })).toBe('DENIED');
    const pages = [];
    let after = 0;
    for (;;) {
      const page = (await lead.caller.ok('team_run_summary', { log: 'audit', after_seq: after, limit: 3  })).log!;
      pages.push(...page.events);
      if (page.next_after_seq === null) break;
      expect(page.events).toHaveLength(3);
      after = page.next_after_seq;
    }
    const seqs = pages.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(pages.map((e) => e.action)).toEqual([
      'team.start',
      'agent.spawn',
      'agent.join',
      'task.create',
      'task.create',
      'task.claim',
      'task.complete',
      'message.send',
      'policy.fanout',
    ]);
    expect(replayAuditTrail(pages)).toEqual(await team.store.readTeam(started.team.id));
  });

  it("shows a team only its own audit trail and summary; another team's lead sees none of it", async () => {
    const first = await team.startTeam({ name: 'first' });
    await first.lead.caller.ok('team_task_create', { tasks: [{ title: 'secret plan of first' }] });
    const second = await team.startTeam({ name: 'second' });
    const replay = (await second.lead.caller.ok('team_run_summary', { log: 'audit' })).log!;
    expect(replay.events.every((e) => e.team_id === second.started.team.id)).toBe(true);
    expect(JSON.stringify(replay)).not.toContain('secret plan of first');
    const summary = (await second.lead.caller.ok('team_run_summary')) as RunSummary;
    expect(summary.team.id).toBe(second.started.team.id);
    expect(summary.tasks_by_status.ready).toBe(0);
    const firstTask = (await first.lead.caller.ok('team_task_list')).tasks[0]?.id;
    expect(await second.lead.caller.code('team_task_next', { task_id: firstTask })).toBe('NOT_FOUND');
  });
});
