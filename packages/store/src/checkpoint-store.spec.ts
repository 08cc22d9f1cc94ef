import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { TeamId } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { replayAuditTrail } from './audit-replay';
import { verifyCheckpoints } from './checkpoint-verify';
import { openSqliteTeamStore, type SqliteTeamStore } from './sqlite-team-store';
import { stateDigest } from './state-digest';
import type { Actor, StoredCheckpoint } from './team-store';

const dir = mkdtempSync(join(tmpdir(), 'codex-team-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

interface World {
  path: string;
  store: SqliteTeamStore;
  clock: FakeClock;
  teamId: TeamId;
  lead: Actor;
  mates: Actor[];
}

async function openWorld(): Promise<World> {
  files += 1;
  const path = join(dir, `store-${files}.db`);
  const clock = new FakeClock();
  const store = await openSqliteTeamStore({ path, clock, ids: new SequentialIdGenerator() });
  const bound = await store.createTeam({ name: 'prop', objective: 'checkpoints', profile: 'default', leadName: 'lead', resumeTicketHash: `r-${files}` });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  const mates: Actor[] = [];
  for (const name of ['ann', 'bob']) {
    await store.spawnAgent(lead, { name, role: 'implementer', joinTicketHash: `j-${files}-${name}` });
    const joined = await store.joinAgent({ joinTicketHash: `j-${files}-${name}`, resumeTicketHash: `r-${files}-${name}` });
    mates.push({ teamId: joined.team.id, agentId: joined.agent.id });
  }
  return { path, store, clock, teamId: bound.team.id, lead, mates };
}

async function allEvents(world: World) {
  return world.store.listAuditEvents(world.teamId, { limit: 10_000 });
}

async function allCheckpoints(world: World): Promise<StoredCheckpoint[]> {
  const out: StoredCheckpoint[] = [];
  for (const ref of await world.store.listCheckpoints(world.teamId)) {
    const stored = await world.store.readCheckpoint(world.teamId, ref.number);
    if (stored !== null) out.push(stored);
  }
  return out;
}

/** One operation of a random run; each may be refused (a stale fence, nothing to claim), which is fine. */
type Step = { op: 'create' | 'claim' | 'complete' | 'send' | 'ack' | 'publish' | 'usage' | 'advance' | 'checkpoint' | 'sweep'; who: number; n: number };

const step: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom('create', 'claim', 'complete', 'send', 'ack', 'publish', 'usage', 'advance', 'checkpoint', 'sweep'),
  who: fc.nat(1),
  n: fc.nat(5),
});

async function apply(world: World, s: Step): Promise<void> {
  const me = world.mates[s.who] as Actor;
  const { store } = world;
  const swallow = (promise: Promise<unknown>) => promise.then(() => undefined, () => undefined);
  switch (s.op) {
    case 'create':
      await store.createTasks(world.lead, { tasks: Array.from({ length: s.n + 1 }, (_, i) => ({ title: `t${i}`, description: 'd', priority: i, depends_on: [] })) });
      return;
    case 'claim':
      await swallow(store.claimNextTask(me, { leaseMs: 60_000 }));
      return;
    case 'complete': {
      const mine = (await store.listTasks(me, { owner_agent_id: me.agentId, status: ['in_progress'] })).tasks[0];
      if (mine !== undefined) await swallow(store.completeTask(me, { task_id: mine.id, fence: mine.fence, outcome: s.n % 3 === 0 ? 'failed' : 'done', result: `r${s.n}`, artifact_ids: [] }));
      return;
    }
    case 'send':
      await store.sendMessage(me, { to: s.n % 2 === 0 ? '*' : world.lead.agentId, body: `m${s.n}`, artifact_refs: [], ...(s.n === 5 ? { consensus: false } : {}) });
      return;
    case 'ack': {
      const inbox = await store.readInbox(world.lead, { ack: [] });
      await store.readInbox(world.lead, { ack: inbox.messages.slice(0, s.n).map((m) => m.id) });
      return;
    }
    case 'publish':
      await store.publishArtifact(me, { name: `a${s.n}`, content: `v${s.n}`, media_type: 'text/plain', plan: false });
      return;
    case 'usage':
      await store.readInbox(me, { ack: [], usage: { input_tokens: 100 * s.n, output_tokens: s.n } });
      return;
    case 'advance':
      world.clock.advance(20_000 * (s.n + 1));
      return;
    case 'checkpoint':
      await store.checkpointTeam(world.teamId, s.who === 0 ? { actor: world.lead } : {});
      return;
    case 'sweep': {
      // What the sweep does when a checkpoint is due, by compare-and-set on what it saw.
      const view = await store.recoveryView({ teamId: world.teamId });
      const seen = view.teams[0]?.checkpoint.uptoSeq ?? 0;
      await store.applyRecovery({ steps: [{ kind: 'checkpoint_team', teamId: world.teamId, expect: { uptoSeq: seen }, rule: 'checkpoint.every_events', reason: 'test' }] });
      return;
    }
  }
}

describe('checkpoints of a real store', () => {
  it('replay(latest checkpoint + later events) equals replay(all events) and the store, for random runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        const world = await openWorld();
        try {
          for (const s of steps) await apply(world, s);
          const events = await allEvents(world);
          const verdict = verifyCheckpoints(events, await allCheckpoints(world));
          const stored = stateDigest(await world.store.readTeam(world.teamId));
          expect(verdict.ok).toBe(true);
          expect(verdict.full_digest).toBe(stored);
          if (verdict.from_checkpoint !== null) expect(verdict.from_checkpoint.digest).toBe(stored);
          expect(stateDigest(replayAuditTrail(events))).toBe(stored);
        } finally {
          await world.store.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('never changes or deletes an archived event, and a change made behind its back is caught by the archive checksum', async () => {
    const world = await openWorld();
    await apply(world, { op: 'create', who: 0, n: 2 });
    await apply(world, { op: 'send', who: 0, n: 1 });
    await world.store.checkpointTeam(world.teamId, { actor: world.lead });
    await apply(world, { op: 'send', who: 1, n: 2 });
    await world.store.close();
    const raw = new Database(world.path);
    try {
      const archived = raw.prepare('SELECT seq FROM audit_events WHERE team_id = ? ORDER BY seq LIMIT 1').pluck().get(world.teamId) as number;
      const latest = raw.prepare('SELECT MAX(seq) FROM audit_events WHERE team_id = ?').pluck().get(world.teamId) as number;
      expect(() => raw.prepare('DELETE FROM audit_events WHERE seq = ?').run(archived)).toThrow(/archived audit events are never deleted/);
      expect(() => raw.prepare("UPDATE audit_events SET reason = 'edited' WHERE seq = ?").run(archived)).toThrow(/archived audit events are never changed/);
      // An event after the latest checkpoint is not archived yet (nothing here deletes events; the guard only covers the archive).
      expect(raw.prepare("UPDATE audit_events SET reason = reason WHERE seq = ?").run(latest).changes).toBe(1);
      // Someone drops the guard and edits history: the checksums say so.
      raw.exec('DROP TRIGGER audit_events_archived_no_update');
      raw.prepare("UPDATE audit_events SET reason = 'rewritten' WHERE seq = ?").run(archived);
    } finally {
      raw.close();
    }
    // Migration checksums do not cover a trigger dropped by hand: the store opens, the verdict finds the change.
    const store = await openSqliteTeamStore({ path: world.path, clock: world.clock, ids: new SequentialIdGenerator() });
    try {
      const verdict = verifyCheckpoints(await store.listAuditEvents(world.teamId, { limit: 10_000 }), await allCheckpoints({ ...world, store }));
      expect(verdict.ok).toBe(false);
      expect(verdict.checkpoints).toEqual([expect.objectContaining({ number: 1, archive_ok: false, state_checksum_ok: true })]);
    } finally {
      await store.close();
    }
  });

  it('catches a stored state that does not match its checksum', async () => {
    const world = await openWorld();
    await apply(world, { op: 'send', who: 0, n: 1 });
    await world.store.checkpointTeam(world.teamId, {});
    const stored = (await allCheckpoints(world))[0] as StoredCheckpoint;
    const events = await allEvents(world);
    await world.store.close();
    const tampered = { ...stored, state: Buffer.from(stored.state.toString('utf8').replace('"used_tokens":0', '"used_tokens":1')) };
    expect(tampered.state.equals(stored.state)).toBe(false);
    const verdict = verifyCheckpoints(events, [tampered]);
    expect(verdict.checkpoints[0]).toMatchObject({ state_checksum_ok: false, state_ok: false });
    expect(verdict.from_checkpoint?.digest).toBe('unreadable');
    expect(verdict.ok).toBe(false);
  });
});
