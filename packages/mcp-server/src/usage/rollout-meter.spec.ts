import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, type SessionBinding, type SqliteTeamStore } from '@codex-team/store';
import pino from 'pino';
import { RolloutMeter, SEARCH_AGAIN_AFTER_MISS_MS, findRollout } from './rollout-meter';

let dir: string;
let store: SqliteTeamStore;
let binding: SessionBinding;

const THREAD = '01a24c7d-bd64-7fd1-881d-4dbea4380cf1';
const record = (id: string, input: number, output: number): string =>
  `${JSON.stringify({ type: 'token_usage_record', payload: { response_id: id, usage: { input_tokens: input, cached_input_tokens: 0, output_tokens: output } } })}\n`;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-meter-'));
  store = await openSqliteTeamStore({ path: join(dir, 'team.db'), clock: new FakeClock(), ids: new SequentialIdGenerator() });
  const bound = await store.createTeam({ name: 't', objective: 'o', maxThreads: 2, profile: 'default', leadName: 'lead', resumeTicketHash: 'r' });
  binding = { teamId: bound.team.id, agentId: bound.agent.id, epoch: bound.epoch };
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rolloutFile(day: string): string {
  const folder = join(dir, 'codex', 'sessions', ...day.split('/'));
  mkdirSync(folder, { recursive: true });
  return join(folder, `rollout-2026-12-06T17-53-58-${THREAD}.jsonl`);
}

describe('RolloutMeter', () => {
  it("finds the thread's rollout on any day, newest first, and none for another thread", () => {
    const path = rolloutFile('2026/12/06');
    appendFileSync(path, '');
    expect(findRollout(join(dir, 'codex'), THREAD)).toBe(path);
    expect(findRollout(join(dir, 'codex'), 'another-thread')).toBeNull();
    expect(findRollout(join(dir, 'no-such-home'), THREAD)).toBeNull();
  });

  it('charges whole lines only, each response once across syncs, and leaves the rollout as it was', async () => {
    const path = rolloutFile('2026/12/06');
    const meter = new RolloutMeter(join(dir, 'codex'), store, pino({ level: 'silent' }), 0);
    const half = record('r2', 20, 2);
    appendFileSync(path, record('r1', 10, 1) + half.slice(0, 20));
    meter.afterCall(binding, THREAD, 1);
    await meter.final(null, null);
    expect((await store.readTeam(binding.teamId)).usage.map((u) => u.input_tokens)).toEqual([10]);
    appendFileSync(path, half.slice(20));
    const before = { bytes: readFileSync(path), mtime: statSync(path).mtimeMs };
    await meter.final(binding, THREAD);
    // A second meter (a restarted server) reads from the start: what was charged is skipped.
    await new RolloutMeter(join(dir, 'codex'), store, pino({ level: 'silent' }), 0).final(binding, THREAD);
    const snapshot = await store.readTeam(binding.teamId);
    expect(snapshot.usage.map((u) => [u.input_tokens, u.output_tokens, u.source])).toEqual([
      [10, 1, 'measured'],
      [20, 2, 'measured'],
    ]);
    expect(snapshot.used_tokens).toBe(33);
    expect(readFileSync(path).equals(before.bytes)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(before.mtime);
  });

  it('does nothing for an unbound session or one with no Codex thread, and never throws for a missing rollout', async () => {
    const meter = new RolloutMeter(join(dir, 'codex'), store, pino({ level: 'silent' }), 0);
    meter.afterCall(null, THREAD, 1);
    meter.afterCall(binding, null, 2);
    await meter.final(binding, 'no-rollout-thread');
    expect((await store.readTeam(binding.teamId)).usage).toEqual([]);
  });

  it('after a search that found no rollout, searches again only after a while, and always at the end', async () => {
    const meter = new RolloutMeter(join(dir, 'codex'), store, pino({ level: 'silent' }), 0);
    const charged = async (): Promise<number[]> => (await store.readTeam(binding.teamId)).usage.map((u) => u.input_tokens);
    meter.afterCall(binding, THREAD, 0);
    await meter.final(null, null);
    appendFileSync(rolloutFile('2026/12/06'), record('r1', 10, 1));
    meter.afterCall(binding, THREAD, SEARCH_AGAIN_AFTER_MISS_MS - 1);
    await meter.final(null, null);
    expect(await charged()).toEqual([]);
    meter.afterCall(binding, THREAD, SEARCH_AGAIN_AFTER_MISS_MS);
    await meter.final(null, null);
    expect(await charged()).toEqual([10]);
    // Found, it syncs at its own pace again.
    appendFileSync(rolloutFile('2026/12/06'), record('r2', 20, 2));
    meter.afterCall(binding, THREAD, SEARCH_AGAIN_AFTER_MISS_MS + 1);
    await meter.final(null, null);
    expect(await charged()).toEqual([10, 20]);

    const ending = new RolloutMeter(join(dir, 'codex'), store, pino({ level: 'silent' }), 0);
    ending.afterCall(binding, 'thread-without-rollout-yet', 0);
    await ending.final(null, null);
    const late = join(dir, 'codex', 'sessions', '2026', '12', '06', 'rollout-2026-12-06T18-00-00-thread-without-rollout-yet.jsonl');
    appendFileSync(late, record('r3', 30, 3));
    await ending.final(binding, 'thread-without-rollout-yet');
    expect(await charged()).toEqual([10, 20, 30]);
  });
});
