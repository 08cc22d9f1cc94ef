import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomIdGenerator, systemClock, type AuditEvent, type MessageRow } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { forkBrokenWriter } from './testing/crash-helpers';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';

// Runtime rebalancing across real server processes, one per agent thread as Codex runs them, each
// sweeping (and so rebalancing) every 200 ms on one store file: the lead's directives reach it in
// its inbox once per change however many processes decide, idle teammates are retired through the
// answer of their team_task_next, and a retired teammate's slot is taken by a new spawn.
// Broken variant: a writer that records a decision it read without deciding again inside its
// write (what a second sweep without the store's check would do); the once-per-change check the
// real processes pass must flag it.

jest.setTimeout(120_000);

const RETIRE_AFTER_MS = 300;
const ARGS = ['--sweep-ms', '200', '--retire-after-ms', String(RETIRE_AFTER_MS), '--log-level', 'warn'];
const NOTICE = 'codex-team rebalancing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rebalancing across server processes', () => {
  let dir: string;
  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the lead each change once, retires an idle teammate by its team_task_next, and reuses its slot for a new spawn', async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-rebalance-'));
    const dbPath = join(dir, 'team.db');
    const [lead, ann, bob] = await Promise.all([spawnStdioAgent(dbPath, ARGS), spawnStdioAgent(dbPath, ARGS), spawnStdioAgent(dbPath, ARGS)]);
    const started = await lead.caller.ok('team_start', { name: 'rebalanced', max_threads: 2 });
    const teamId = started.team.id;
    await lead.caller.ok('team_task_create', {
      tasks: [
        { key: 'api', title: 'api', required_role: 'implementer', estimate_min: 20 },
        { key: 'ui', title: 'ui', required_role: 'implementer', estimate_min: 10 },
        { key: 'review', title: 'review', required_role: 'reviewer', depends_on: ['api', 'ui'] },
      ],
    });

    // Every notice the lead has got so far, read without acking: the inbox keeps them.
    // A notice comes from codex-team itself: its row has no sender.
    const notices = async (): Promise<MessageRow[]> =>
      (await lead.caller.ok('team_inbox', { ack: [], limit: 100 })).messages.filter((m) => m.from_agent_id === undefined && m.body.startsWith(NOTICE));
    /** Waits for a notice containing every one of `texts`, at most 20 s; returns it. */
    const noticeWith = async (...texts: string[]): Promise<MessageRow> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = (await notices()).find((m) => texts.every((text) => m.body.includes(text)));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no notice with ${texts.join(' and ')}; got ${JSON.stringify((await notices()).map((m) => m.body))}`);
        await sleep(100);
      }
    };

    // 1. A sweep decides two implementers are wanted; the lead is told once, and its hints agree.
    await noticeWith('- spawn 2 implementer (rebalance.spawn.waiting_work)');
    const status = await lead.caller.ok('team_status');
    expect(status.hints?.rebalance).toEqual({ spawn: [{ role: 'implementer', count: 2 }], since: expect.any(String) });
    await sleep(1_000); // five sweeps of each of three processes: nothing changed, nothing repeated
    expect(await notices()).toHaveLength(1);

    // 2. The lead spawns them; they do the implementation work.
    const enlist = async (agent: StdioAgent, name: string, role: string): Promise<string> => {
      const spawned = await lead.caller.ok('team_spawn', { name, role });
      return (await agent.caller.ok('team_join', { ticket: spawned.join_ticket })).agent.id;
    };
    const annId = await enlist(ann, 'ann', 'implementer');
    const bobId = await enlist(bob, 'bob', 'implementer');
    for (const mate of [ann, bob]) {
      const next = await mate.caller.ok('team_task_next');
      expect(next.claim).not.toBeNull();
      await mate.caller.ok('team_task_complete', { task_id: next.claim?.task.id, fence: next.claim?.fence, result: 'built and tested' });
    }
    // The estimates order the claims: api (20 min) before ui (10 min).
    const before = await seenClaims(dbPath, teamId);
    expect(before).toEqual(['api', 'ui']);

    // 3. Only the review is left, for a role nobody holds, and both slots are taken by idle
    // implementers: once they have been a surplus for the hysteresis, the lead is told to retire them
    // (in one notice, or under load first ann, who went idle first, then both).
    await noticeWith(`- retire ${annId} (implementer) (rebalance.retire.surplus_idle)`, `- retire ${bobId} (implementer) (rebalance.retire.surplus_idle)`);
    expect([...((await lead.caller.ok('team_status')).hints?.rebalance?.retire ?? [])].sort()).toEqual([annId, bobId].sort());
    // The slots are still held: no spawn fits yet.
    expect(await lead.caller.code('team_spawn', { name: 'rex', role: 'reviewer' })).toBe('LIMIT_EXCEEDED');

    // 4. ann asks for work and is told to retire instead; it leaves.
    const told = await ann.caller.ok('team_task_next');
    expect(told.claim).toBeNull();
    expect(told.retire).toBe('rebalance.retire.surplus_idle');
    expect(told.reason).toMatch(/end your turn/);
    await ann.close();
    await ann.exited;

    // 5. Its slot frees: the next decision wants a reviewer, the lead is told, and the spawn fits.
    await noticeWith('- spawn 1 reviewer (rebalance.spawn.waiting_work)');
    const rex = await spawnStdioAgent(dbPath, ARGS);
    await enlist(rex, 'rex', 'reviewer');
    const review = await rex.caller.ok('team_task_next');
    expect(review.claim?.task.title).toBe('review');
    await rex.caller.ok('team_task_complete', { task_id: review.claim?.task.id, fence: review.claim?.fence, result: 'reviewed' });

    // 6. bob's turn: retired the same way.
    expect((await bob.caller.ok('team_task_next')).retire).toBe('rebalance.retire.surplus_idle');

    // The audit trail: each agent retired once, by its own team_task_next; every change of
    // directives that said something was announced exactly once, whichever process decided it.
    const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
    try {
      const events = await store.listAuditEvents(teamId, { limit: 10_000 });
      const retires = events.filter((event) => event.action === 'agent.retire');
      expect(retires.map((event) => [event.actor_agent_id, event.subject_id, event.data['rule']])).toEqual([
        [annId, annId, 'rebalance.retire.surplus_idle'],
        [bobId, bobId, 'rebalance.retire.surplus_idle'],
      ]);
      expect(announcementProblems(events)).toEqual([]);
      expect(events.filter((event) => event.action === 'rebalance.decide' && event.data['notified'] === true).length).toBe((await notices()).length);

      // Broken variant: a second sweep that records the decision it read and tells the lead again,
      // without deciding again inside its write. The same check must flag it.
      const writer = forkBrokenWriter(['naive-rebalance', dbPath, teamId], (message) => {
        if (message['type'] === 'ready') writer.child.send('go');
      });
      expect(await writer.exited).toBe(0);
      const broken = await store.listAuditEvents(teamId, { limit: 10_000 });
      expect(announcementProblems(broken)).toEqual([expect.stringMatching(/^decision \d+ repeats the one before it$/)]);
      const status = await store.getStatus({ teamId, agentId: started.agent.id });
      expect(status.agents.filter((agent) => agent.state === 'retired').map((agent) => agent.id).sort()).toEqual([annId, bobId].sort());
    } finally {
      await store.close();
    }
  });
});

/**
 * What once-per-change forbids, from the audit trail: a recorded decision equal to the one before
 * it (directives and hysteresis state), and a rebalancing notice no recorded change announced.
 */
function announcementProblems(events: readonly AuditEvent[]): string[] {
  const problems: string[] = [];
  const decisions = events.filter((event) => event.action === 'rebalance.decide');
  const keyOf = (event: AuditEvent): string => {
    const decision = event.data['decision'] as { key: string; retire_candidates: unknown };
    return JSON.stringify([decision.key, decision.retire_candidates]);
  };
  decisions.forEach((event, i) => {
    const before = decisions[i - 1];
    if (before !== undefined && keyOf(before) === keyOf(event)) problems.push(`decision ${event.seq} repeats the one before it`);
  });
  const announced = decisions.filter((event) => event.data['notified'] === true).length;
  const sent = events.filter((event) => event.action === 'message.send' && event.reason.startsWith('rebalancing notice')).length;
  if (sent !== announced) problems.push(`${sent} rebalancing notices for ${announced} announced changes`);
  return problems;
}

/** Titles of the team's tasks in the order they were claimed. */
async function seenClaims(dbPath: string, teamId: string): Promise<string[]> {
  const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
  try {
    const events = await store.listAuditEvents(teamId as Parameters<typeof store.listAuditEvents>[0], { limit: 10_000 });
    return events.filter((event) => event.action === 'task.claim').map((event) => (event.data['task'] as { title: string }).title);
  } finally {
    await store.close();
  }
}
