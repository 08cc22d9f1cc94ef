import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { digestDatabase } from './testing/database-digest';
import { openSqliteTeamStore } from './sqlite-team-store';
import { DEFAULT_BUSY_SLICE_MS, notCountedAgainstBusyDeadline, withinOneBusyDeadline } from './sqlite/transaction';
import { describeTeamStoreConformance } from './team-store.conformance';
import type { CallAuthorization, TeamStore } from './team-store';

const dir = mkdtempSync(join(tmpdir(), 'codex-team-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const paths = new WeakMap<TeamStore, string>();

describeTeamStoreConformance(
  'SQLite',
  async (clock, ids, profiles, options) => {
    files += 1;
    const path = join(dir, `conformance-${files}.db`);
    const store = await openSqliteTeamStore({ path, clock, ids, profiles, ...options });
    paths.set(store, path);
    return store;
  },
  {
    // Every table's digest: a refused call must leave every row as it was, not just what the port shows.
    snapshot: (store) => {
      const path = paths.get(store);
      return path === undefined ? null : digestDatabase(path);
    },
  },
);

describe('SQLite adapter', () => {
  const open = (path: string, extra: Partial<Parameters<typeof openSqliteTeamStore>[0]> = {}) =>
    openSqliteTeamStore({ path, clock: new FakeClock(), ids: new SequentialIdGenerator(), ...extra });

  it('creates the parent directory and a WAL database that keeps its data across re-opens', async () => {
    const path = join(dir, 'nested', 'deeper', 'team.db');
    const first = await open(path);
    const bound = await first.createTeam({
      name: 'kept',
      objective: '',
      maxThreads: 2,
      profile: 'default',
      leadName: 'lead',
      resumeTicketHash: 'resume-kept',
    });
    await first.close();
    expect(existsSync(path)).toBe(true);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const second = await open(path, { ids: new SequentialIdGenerator() });
    const resumed = await second.resumeAgent({ resumeTicketHash: 'resume-kept', nextResumeTicketHash: 'resume-kept-2' });
    expect(resumed.team.id).toBe(bound.team.id);
    await second.close();
  });

  it('answers BUSY, changing nothing, when another connection keeps the write lock past the retries', async () => {
    const path = join(dir, 'busy.db');
    const store = await open(path, { busyTimeoutMs: 10, busyRetry: { deadlineMs: 100, baseDelayMs: 1, maxDelayMs: 5 } });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    let error: unknown;
    try {
      await store.createTeam({ name: 'x', objective: '', maxThreads: 1, profile: 'default', leadName: 'l', resumeTicketHash: 'r' });
    } catch (caught) {
      error = caught;
    }
    expect(isTeamError(error) && error.code).toBe('BUSY');
    blocker.exec('ROLLBACK');
    expect(blocker.prepare('SELECT COUNT(*) FROM teams').pluck().get()).toBe(0);
    blocker.close();
    await store.close();
  });

  describe('a lock held past the deadline', () => {
    /** Runs `call` while a timer ticks every 10 ms: its outcome, how long it took, and the longest pause between ticks. */
    async function timed(call: () => Promise<unknown>): Promise<{ code: string; tookMs: number; longestGapMs: number }> {
      let last = performance.now();
      let longestGapMs = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      }, 10);
      const started = performance.now();
      const code = await call().then(
        () => 'ok',
        (error: unknown) => (isTeamError(error) ? error.code : String(error)),
      );
      const ended = performance.now();
      clearInterval(ticker);
      // The stretch since the last tick counts too: a call that blocked from start to end let none run.
      return { code, tookMs: ended - started, longestGapMs: Math.max(longestGapMs, ended - last) };
    }

    async function underLock(name: string, options: Partial<Parameters<typeof openSqliteTeamStore>[0]>) {
      const path = join(dir, `${name}.db`);
      const store = await open(path, options);
      const blocker = new Database(path);
      blocker.exec('BEGIN IMMEDIATE');
      const outcome = await timed(() => store.createTeam({ name: 'x', objective: '', leadName: 'l', resumeTicketHash: `r-${name}` }));
      blocker.exec('ROLLBACK');
      const teams = blocker.prepare('SELECT COUNT(*) FROM teams').pluck().get();
      blocker.close();
      await store.close();
      return { ...outcome, teams };
    }

    it('answers BUSY at its deadline, changing nothing, with the event loop free all the while', async () => {
      const outcome = await underLock('deadline', { busyRetry: { deadlineMs: 1_000 } });
      expect(outcome).toMatchObject({ code: 'BUSY', teams: 0 });
      // Bounds, not performance goals: BUSY comes after the deadline and well before twice it...
      expect(outcome.tookMs).toBeGreaterThanOrEqual(1_000);
      expect(outcome.tookMs).toBeLessThan(3_000);
      // ...and SQLite never held the process for much more than a busy slice at a time.
      expect(outcome.longestGapMs).toBeLessThan(DEFAULT_BUSY_SLICE_MS + 300);
    });

    it('catches a store that waits inside SQLite for the whole deadline (the broken variant)', async () => {
      // One busy slice as long as the deadline: the wait blocks the event loop, as it did before.
      const outcome = await underLock('blocking', { busyTimeoutMs: 2_000, busyRetry: { deadlineMs: 2_000 } });
      expect(outcome.code).toBe('BUSY');
      expect(outcome.longestGapMs).toBeGreaterThanOrEqual(DEFAULT_BUSY_SLICE_MS + 700);
    });
  });

  describe("a call's busy deadline", () => {
    const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

    /** One tool call: `before` (say, its hooks), then a write that meets a lock held 100 ms more. */
    async function callAfter(name: string, before: () => Promise<void>): Promise<string> {
      const path = join(dir, `${name}.db`);
      const store = await open(path, { busyTimeoutMs: 5, busyRetry: { deadlineMs: 300, baseDelayMs: 5, maxDelayMs: 20 } });
      const blocker = new Database(path);
      const code = await withinOneBusyDeadline(async () => {
        await before();
        blocker.exec('BEGIN IMMEDIATE');
        setTimeout(() => blocker.exec('ROLLBACK'), 100);
        return store.createTeam({ name: 'x', objective: '', leadName: 'l', resumeTicketHash: `r-${name}` }).then(
          () => 'ok',
          (error: unknown) => (isTeamError(error) ? error.code : String(error)),
        );
      });
      await pause(150);
      blocker.close();
      await store.close();
      return code;
    }

    it("does not count a hook's time: the write after a hook longer than the deadline still waits out a short lock", async () => {
      expect(await callAfter('hook-time', () => notCountedAgainstBusyDeadline(() => pause(400)))).toBe('ok');
    });

    it('counts the rest of the call (the broken variant: the same wait counted leaves the write one attempt)', async () => {
      expect(await callAfter('counted-time', () => pause(400))).toBe('BUSY');
    });
  });

  it('waits out a short lock with retries and then commits', async () => {
    const path = join(dir, 'retry.db');
    const store = await open(path, { busyTimeoutMs: 5, busyRetry: { deadlineMs: 5_000, baseDelayMs: 5, maxDelayMs: 20 } });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    // The lock is released while the store sleeps between attempts (outside any transaction).
    setTimeout(() => blocker.exec('ROLLBACK'), 50);
    const bound = await store.createTeam({
      name: 'patient',
      objective: '',
      maxThreads: 1,
      profile: 'default',
      leadName: 'l',
      resumeTicketHash: 'r2',
    });
    expect(bound.team.name).toBe('patient');
    blocker.close();
    await store.close();
  });

  it('records a decision once when its transaction was retried after a busy attempt', async () => {
    const path = join(dir, 'retry-decision.db');
    const store = await open(path, { busyTimeoutMs: 5, busyRetry: { deadlineMs: 5_000, baseDelayMs: 5, maxDelayMs: 20 } });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    setTimeout(() => blocker.exec('ROLLBACK'), 50);
    const authorization = {
      decision: {
        teamId: null,
        agentId: null,
        role: null,
        tool: 'team_start',
        action: 'start',
        profile: null,
        rule: 'identity:unbound-may-bind',
        matched: [],
        decision: 'allow' as const,
        reason: 'an unbound session may start',
        step: 'identity' as const,
      },
      recorded: null as CallAuthorization['recorded'],
    };
    const bound = await store.createTeam({
      name: 'once',
      objective: '',
      maxThreads: 1,
      profile: 'default',
      leadName: 'l',
      resumeTicketHash: 'r3',
      authorization,
    });
    const decisions = await store.listAuthzDecisions({ teamId: bound.team.id });
    expect(decisions.map((decision) => decision.seq)).toEqual([authorization.recorded?.seq]);
    expect(blocker.prepare('SELECT COUNT(*) FROM authz_decisions').pluck().get()).toBe(1);
    blocker.close();
    await store.close();
  });

  it('commits a standalone decision without waiting for the disk, and every other write with synchronous=FULL', async () => {
    const path = join(dir, 'sync.db');
    const store = await open(path, { busyTimeoutMs: 5, busyRetry: { deadlineMs: 20, baseDelayMs: 1, maxDelayMs: 2 } });
    // The adapter's own connection: the pragma is per connection.
    const db = (store as unknown as { db: Database.Database }).db;
    const synchronous = (): unknown => db.pragma('synchronous', { simple: true });
    const decision = {
      teamId: null,
      agentId: null,
      role: null,
      tool: 'team_status',
      action: 'read',
      profile: null,
      rule: 'identity:unbound',
      matched: [],
      decision: 'deny' as const,
      reason: 'not bound',
      step: 'identity' as const,
      outcome: 'NOT_BOUND',
    };
    const seen: unknown[] = [];
    const spied = db.pragma.bind(db);
    db.pragma = ((source: string, options?: Database.PragmaOptions) => {
      seen.push(source);
      return spied(source, options);
    }) as typeof db.pragma;
    await store.recordAuthzDecision(decision);
    expect(seen).toEqual(['synchronous = NORMAL', 'synchronous = FULL']);
    expect(synchronous()).toBe(2);
    // A busy attempt restores FULL too.
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    await expect(store.recordAuthzDecision(decision)).rejects.toMatchObject({ code: 'BUSY' });
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(synchronous()).toBe(2);
    await store.close();
  });

  describe('queued read decisions (group commit)', () => {
    const read = (tool: string) => ({
      teamId: null,
      agentId: null,
      role: null,
      tool,
      action: 'read',
      profile: null,
      rule: 'identity:unbound-may-bind',
      matched: [],
      decision: 'allow' as const,
      reason: 'allowed',
      step: 'identity' as const,
      outcome: 'ok',
    });
    const rowsOf = (path: string): { tool: string; at: number }[] => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT tool, at FROM authz_decisions ORDER BY seq').all() as { tool: string; at: number }[];
      } finally {
        db.close();
      }
    };

    it('writes them before the next write, in call order, stamped with the time of each call', async () => {
      const path = join(dir, 'queue-order.db');
      const clock = new FakeClock();
      const store = await open(path, { clock });
      const calledAt = clock.now();
      store.queueAuthzDecision(read('team_status'));
      clock.advance(1_000);
      store.queueAuthzDecision(read('team_inbox'));
      clock.advance(1_000);
      await store.recordAuthzDecision({ ...read('team_spawn'), decision: 'deny', outcome: 'DENIED' });
      expect(rowsOf(path)).toEqual([
        { tool: 'team_status', at: calledAt },
        { tool: 'team_inbox', at: calledAt + 1_000 },
        { tool: 'team_spawn', at: calledAt + 2_000 },
      ]);
      await store.close();
    });

    it('writes them with a refused write, keeps them through one that never commits, and writes each exactly once', async () => {
      const path = join(dir, 'queue-rollback.db');
      const store = await open(path, { busyTimeoutMs: 10, busyRetry: { deadlineMs: 20, baseDelayMs: 1, maxDelayMs: 2 } });
      store.queueAuthzDecision(read('team_status'));
      await expect(store.verifyBinding({ teamId: 'tm_missing', agentId: 'ag_missing', epoch: 1 })).rejects.toMatchObject({ code: 'NOT_BOUND' });
      // A refusal commits its transaction (its records), and with it the decisions queued before.
      const refused = store.createTeam({ name: 'x', objective: '', maxThreads: 0, profile: 'default', leadName: 'l', resumeTicketHash: 'r' });
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(rowsOf(path).map((row) => row.tool)).toEqual(['team_status']);
      store.queueAuthzDecision(read('team_inbox'));
      const blocker = new Database(path);
      blocker.exec('BEGIN IMMEDIATE');
      await expect(store.createTeam({ name: 'y', objective: '', leadName: 'l', resumeTicketHash: 'r2' })).rejects.toMatchObject({ code: 'BUSY' });
      blocker.exec('ROLLBACK');
      blocker.close();
      expect(rowsOf(path).map((row) => row.tool)).toEqual(['team_status']);
      expect((await store.listAuthzDecisions({ teamId: null })).map((decision) => decision.tool)).toEqual(['team_status', 'team_inbox']);
      await store.recordAuthzDecision({ ...read('team_spawn'), decision: 'deny', outcome: 'DENIED' });
      expect(rowsOf(path).map((row) => row.tool)).toEqual(['team_status', 'team_inbox', 'team_spawn']);
      await store.close();
    });

    it('writes them on its own within milliseconds when nothing else is written, and on close', async () => {
      const path = join(dir, 'queue-timer.db');
      const store = await open(path);
      store.queueAuthzDecision(read('team_status'));
      // Read from another connection, as another process would: no flush is asked for.
      for (let waited = 0; rowsOf(path).length === 0 && waited < 5_000; waited += 5) await new Promise((done) => setTimeout(done, 5));
      expect(rowsOf(path).map((row) => row.tool)).toEqual(['team_status']);
      store.queueAuthzDecision(read('team_inbox'));
      await store.close();
      expect(rowsOf(path).map((row) => row.tool)).toEqual(['team_status', 'team_inbox']);
    });
  });

  it('leaves the decision log out of a database digest unless asked, so digests compare state', async () => {
    const path = join(dir, 'digest.db');
    const store = await open(path);
    const before = digestDatabase(path);
    const withLog = digestDatabase(path, { includeDecisionLog: true });
    await store.recordAuthzDecision({
      teamId: null,
      agentId: null,
      role: null,
      tool: 'team_status',
      action: 'read',
      profile: null,
      rule: 'identity:unbound',
      matched: [],
      decision: 'deny',
      reason: 'not bound',
      step: 'identity',
      outcome: 'NOT_BOUND',
    });
    expect(digestDatabase(path)).toEqual(before);
    expect(Object.keys(before)).not.toContain('authz_decisions');
    expect(digestDatabase(path, { includeDecisionLog: true })['authz_decisions']).not.toEqual(withLog['authz_decisions']);
    await store.close();
  });

  it('claims the critical path first by default, and by priority then creation alone when opened with rankClaims false', async () => {
    // A low-priority task with a chain of two behind it, and a higher-priority task nothing waits on.
    const claimedFirst = async (extra: Partial<Parameters<typeof openSqliteTeamStore>[0]>, name: string): Promise<string | undefined> => {
      const store = await open(join(dir, `${name}.db`), extra);
      const bound = await store.createTeam({ name, objective: '', leadName: 'lead', resumeTicketHash: `r-${name}` });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      const task = (title: string, priority: number, depends_on: string[] = []) => ({ key: title, title, description: '', priority, depends_on });
      await store.createTasks(lead, { tasks: [task('head', 0), task('middle', 0, ['head']), task('tail', 0, ['middle']), task('urgent', 1)] });
      const next = await store.claimNextTask(lead, { leaseMs: 60_000 });
      await store.close();
      return next.claim?.task.title;
    };
    expect(await claimedFirst({}, 'ranked')).toBe('head');
    expect(await claimedFirst({ rankClaims: false }, 'unranked')).toBe('urgent');
  });

  it("applies its team's profile with no policy passed: an opener that forgets the profiles still gets budget and message gates", async () => {
    // Opened as the claim benchmark and `codex-team recover` open it: no profiles given.
    const store = await open(join(dir, 'no-policy.db'));
    const bound = await store.createTeam({ name: 'fast', objective: '', profile: 'fast', leadName: 'lead', resumeTicketHash: 'r-fast' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    expect(bound.team.max_threads).toBe(3);
    await expect(store.sendMessage(lead, { to: '*', body: 'y'.repeat(5_000), artifact_refs: [] })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      refusal: { kind: 'policy', rule: 'messages.body_max_bytes' },
    });
    // 2.1M tokens in one report of at most LIMITS.usageOutputTokensMax output: past fast's 2M hard budget.
    await store.readInbox(lead, { ack: [], usage: { input_tokens: 1_850_000, output_tokens: 250_000 } });
    await expect(store.spawnAgent(lead, { name: 'bob', role: 'tester', joinTicketHash: 'j-bob' })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      refusal: { kind: 'policy', rule: 'budget.hard_tokens' },
    });
    await expect(store.createTeam({ name: 'x', objective: '', profile: 'turbo', leadName: 'l', resumeTicketHash: 'r-x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.close();
  });

  it('answers every call after close with one typed error, where the same calls worked while open', async () => {
    const store = await open(join(dir, 'closed.db'));
    const bound = await store.createTeam({ name: 'open', objective: '', leadName: 'lead', resumeTicketHash: 'resume-open' });
    const lead = { teamId: bound.team.id, agentId: bound.agent.id };
    // Open, each call works: a refusal below would be the closed store speaking, not the call.
    await expect(store.resumeAgent({ resumeTicketHash: 'resume-open', nextResumeTicketHash: 'resume-open-2' })).resolves.toMatchObject({ epoch: 2 });
    await expect(store.getStatus(lead)).resolves.toMatchObject({ team: { id: bound.team.id } });
    await store.close();
    await store.close();
    for (const call of [() => store.resumeAgent({ resumeTicketHash: 'resume-open-2', nextResumeTicketHash: 'resume-open-3' }), () => store.getStatus(lead), () => store.listTeams()]) {
      const error: unknown = await call().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isTeamError(error) && [error.code, error.details]).toEqual(['INTERNAL', { closed: true }]);
    }
  });
});
