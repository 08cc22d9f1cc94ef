import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock, SequentialIdGenerator, isTeamError } from '@codex-team/contracts';
import { digestDatabase } from './database-digest';
import { openSqliteTeamStore } from './sqlite-team-store';
import { describeTeamStoreConformance } from './team-store.conformance';
import type { TeamStore } from './team-store';

const dir = mkdtempSync(join(tmpdir(), 'codex-team-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const paths = new WeakMap<TeamStore, string>();

describeTeamStoreConformance(
  'SQLite',
  async (clock, ids, policy) => {
    files += 1;
    const path = join(dir, `conformance-${files}.db`);
    const store = await openSqliteTeamStore({ path, clock, ids, policy });
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
    const resumed = await second.resumeAgent('resume-kept');
    expect(resumed.team.id).toBe(bound.team.id);
    await second.close();
  });

  it('answers BUSY, changing nothing, when another connection keeps the write lock past the retries', async () => {
    const path = join(dir, 'busy.db');
    const store = await open(path, { busyTimeoutMs: 10, busyRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    let error: unknown;
    try {
      await store.createTeam({ name: 'x', objective: '', maxThreads: 1, profile: 'p', leadName: 'l', resumeTicketHash: 'r' });
    } catch (caught) {
      error = caught;
    }
    expect(isTeamError(error) && error.code).toBe('BUSY');
    blocker.exec('ROLLBACK');
    expect(blocker.prepare('SELECT COUNT(*) FROM teams').pluck().get()).toBe(0);
    blocker.close();
    await store.close();
  });

  it('waits out a short lock with retries and then commits', async () => {
    const path = join(dir, 'retry.db');
    const store = await open(path, { busyTimeoutMs: 5, busyRetry: { attempts: 50, baseDelayMs: 5, maxDelayMs: 20 } });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    // The lock is released while the store sleeps between attempts (outside any transaction).
    setTimeout(() => blocker.exec('ROLLBACK'), 50);
    const bound = await store.createTeam({
      name: 'patient',
      objective: '',
      maxThreads: 1,
      profile: 'p',
      leadName: 'l',
      resumeTicketHash: 'r2',
    });
    expect(bound.team.name).toBe('patient');
    blocker.close();
    await store.close();
  });

  it('refuses calls after close without crashing the process', async () => {
    const store = await open(join(dir, 'closed.db'));
    await store.close();
    await store.close();
    await expect(store.resumeAgent('x')).rejects.toThrow();
  });
});
