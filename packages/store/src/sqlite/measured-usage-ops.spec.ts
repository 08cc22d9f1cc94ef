import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { replayAuditTrail } from '../audit-replay';
import { openSqliteTeamStore, type SqliteTeamStore } from '../sqlite-team-store';
import type { Actor, MeasuredResponse } from '../team-store';

let dir: string;
let store: SqliteTeamStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-measured-'));
  store = await openSqliteTeamStore({ path: join(dir, 'team.db'), clock: new FakeClock(), ids: new SequentialIdGenerator() });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function team(): Promise<{ lead: Actor; ann: Actor }> {
  const bound = await store.createTeam({ name: 't', objective: 'o', maxThreads: 4, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  await store.spawnAgent(lead, { name: 'ann', role: 'implementer', joinTicketHash: 'j' });
  const joined = await store.joinAgent({ joinTicketHash: 'j', resumeTicketHash: 'ra' });
  return { lead, ann: { teamId: lead.teamId, agentId: joined.agent.id } };
}

function response(id: string, input: number, output: number, cached = 0): MeasuredResponse {
  return { response_id: id, input_tokens: input, output_tokens: output, cached_input_tokens: cached };
}

describe('usage measured from Codex rollouts', () => {
  it('charges each response of a thread once, labelled measured, whoever reads it again', async () => {
    const { ann } = await team();
    const first = await store.recordMeasuredUsage({ ...ann, codexThreadId: 'th-1', responses: [response('r1', 1234, 57, 100), response('r2', 2234, 107, 200)] });
    expect(first.usage.map((u) => [u.input_tokens, u.output_tokens, u.cached_input_tokens, u.charged_tokens, u.source])).toEqual([
      [1234, 57, 100, 1291, 'measured'],
      [2234, 107, 200, 2341, 'measured'],
    ]);
    // A second read of the same rollout (a restarted server, another session) adds only what is new.
    const again = await store.recordMeasuredUsage({ ...ann, codexThreadId: 'th-1', responses: [response('r1', 1234, 57), response('r2', 2234, 107), response('r3', 10, 1)] });
    expect(again).toMatchObject({ skipped: 2, usage: [expect.objectContaining({ charged_tokens: 11 })] });
    const nothing = await store.recordMeasuredUsage({ ...ann, codexThreadId: 'th-1', responses: [response('r3', 10, 1)] });
    expect(nothing).toEqual({ usage: [], skipped: 1 });
    // The same response id in another thread is another response.
    await store.recordMeasuredUsage({ ...ann, codexThreadId: 'th-2', responses: [response('r1', 5, 5)] });
    const snapshot = await store.readTeam(ann.teamId);
    expect(snapshot.used_tokens).toBe(1291 + 2341 + 11 + 10);
    const events = await store.listAuditEvents(ann.teamId);
    expect(events.filter((event) => event.action === 'usage.measure')).toHaveLength(3);
    expect(replayAuditTrail(events).usage).toEqual(snapshot.usage);
    expect(replayAuditTrail(events).used_tokens).toBe(snapshot.used_tokens);
  });

  it("takes what the agent's own reports charged off its first measured charges, and charges its later reports nothing", async () => {
    const { ann } = await team();
    await store.readInbox(ann, { ack: [], usage: { input_tokens: 1000, output_tokens: 200 } });
    expect((await store.readTeam(ann.teamId)).used_tokens).toBe(1200);
    // The rollout covers the same turns: 1291 + 2341 measured, of which 1200 were charged already.
    const measured = await store.recordMeasuredUsage({ ...ann, codexThreadId: 'th', responses: [response('r1', 1234, 57), response('r2', 2234, 107)] });
    expect(measured.usage.map((u) => u.charged_tokens)).toEqual([91, 2341]);
    expect((await store.readTeam(ann.teamId)).used_tokens).toBe(1291 + 2341);
    const later = await store.readInbox(ann, { ack: [], usage: { input_tokens: 500, output_tokens: 50 } });
    expect(later.messages).toEqual([]);
    const snapshot = await store.readTeam(ann.teamId);
    expect(snapshot.used_tokens).toBe(1291 + 2341);
    expect(snapshot.usage.map((u) => [u.source ?? 'reported', u.charged_tokens])).toEqual([
      ['reported', 1200],
      ['measured', 91],
      ['measured', 2341],
      ['reported', 0],
    ]);
    const events = await store.listAuditEvents(ann.teamId);
    expect(events.find((event) => event.action === 'usage.measure')?.reason).toMatch(/^measured 3632 tokens of 2 model responses in Codex thread th; charged 2432 \(1200 already charged/);
    expect(replayAuditTrail(events).usage).toEqual(snapshot.usage);
  });

  it('crosses the budget lines as reported usage does, named in the event', async () => {
    const { ann } = await team();
    // default: soft 8,000,000, hard 16,000,000. Five responses of 1,900,000 cross soft at the fifth.
    const responses = [1, 2, 3, 4, 5].map((n) => response(`r${n}`, 1_800_000, 100_000));
    await store.recordMeasuredUsage({ ...ann, codexThreadId: 'th', responses });
    const measure = (await store.listAuditEvents(ann.teamId)).find((event) => event.action === 'usage.measure');
    expect(measure?.data).toMatchObject({ used_tokens: 9_500_000, crossed: 'soft' });
    expect(measure?.reason).toMatch(/crossed the soft budget$/);
  });

  it('refuses an agent that is not of the team, writing nothing', async () => {
    const { ann } = await team();
    await expect(store.recordMeasuredUsage({ teamId: ann.teamId, agentId: 'ag_nobodyxxxxxx', codexThreadId: 'th', responses: [response('r', 1, 1)] })).rejects.toMatchObject({
      code: 'NOT_BOUND',
    });
    expect((await store.readTeam(ann.teamId)).used_tokens).toBe(0);
  });
});
