import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { digestDatabase } from './testing/database-digest';
import { openSqliteTeamStore, type SqliteTeamStore } from './sqlite-team-store';

const dir = mkdtempSync(join(tmpdir(), 'codex-team-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function openTeam(): Promise<{ path: string; store: SqliteTeamStore; lead: { teamId: string; agentId: string } }> {
  files += 1;
  const path = join(dir, `team-${files}.db`);
  const store = await openSqliteTeamStore({ path, clock: new FakeClock(), ids: new SequentialIdGenerator() });
  const bound = await store.createTeam({ name: 'kept', objective: '', leadName: 'lead', resumeTicketHash: `resume-${files}` });
  return { path, store, lead: { teamId: bound.team.id, agentId: bound.agent.id } };
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return isTeamError(error) ? error.code : String(error);
  }
  return 'ok';
}

const send = (body: string) => ({ to: '*', body, artifact_refs: [] });

describe('store identity', () => {
  it('answers STORE_MOVED to writes and reads once its file and log are deleted, writing nothing anywhere', async () => {
    const { path, store, lead } = await openTeam();
    await store.sendMessage(lead, send('before'));
    const other = await openTeam();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`);
    // The same calls go on working on another store: what fails below is the moved store.
    await expect(other.store.sendMessage(other.lead, send('fine'))).resolves.toBeDefined();
    expect(await codeOf(store.sendMessage(lead, send('into the void')))).toBe('STORE_MOVED');
    expect(await codeOf(store.getStatus(lead))).toBe('STORE_MOVED');
    expect(await codeOf(store.verifyBinding({ ...lead, epoch: 1 }))).toBe('STORE_MOVED');
    expect(await codeOf(store.listTeams())).toBe('STORE_MOVED');
    const error = await store.sendMessage(lead, send('x')).catch((caught: unknown) => caught);
    expect(isTeamError(error) && error.details).toEqual({ path, file: path, change: 'deleted' });
    // The unlinked file took no write either: the rejected transaction rolled back inside it.
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.prepare("SELECT COUNT(*) FROM messages WHERE body = 'into the void'").pluck().get()).toBe(0);
    await store.close();
    await other.store.close();
  });

  it('answers STORE_MOVED when another store is put at its path, and leaves that store as it was', async () => {
    const { path, store, lead } = await openTeam();
    const other = await openTeam();
    await other.store.close();
    const replacement = join(dir, 'replacement.db');
    copyFileSync(other.path, replacement);
    const before = digestDatabase(replacement, { includeDecisionLog: true });
    // Replaced as a restore does: the old log goes with the old file (a log left beside another
    // file would be read into it by the next opener, whoever wrote it).
    for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`);
    renameSync(replacement, path);
    expect(await codeOf(store.sendMessage(lead, send('lost')))).toBe('STORE_MOVED');
    const error = await store.getStatus(lead).catch((caught: unknown) => caught);
    expect(isTeamError(error) && error.details).toEqual({ path, file: path, change: 'replaced' });
    // Closing the moved store neither checkpoints into nor deletes what is now at the path.
    await store.close();
    expect(digestDatabase(path, { includeDecisionLog: true })).toEqual(before);
  });

  it('answers STORE_MOVED when only the write-ahead log was deleted (a new opener would not see its commits)', async () => {
    const { path, store, lead } = await openTeam();
    rmSync(`${path}-wal`);
    expect(await codeOf(store.sendMessage(lead, send('lost')))).toBe('STORE_MOVED');
    await store.close();
  });

  it('goes on when the same file is renamed away and back: identity is the file, not the name', async () => {
    const { path, store, lead } = await openTeam();
    for (const suffix of ['', '-wal', '-shm']) renameSync(`${path}${suffix}`, `${path}.away${suffix}`);
    expect(await codeOf(store.sendMessage(lead, send('while away')))).toBe('STORE_MOVED');
    for (const suffix of ['', '-wal', '-shm']) renameSync(`${path}.away${suffix}`, `${path}${suffix}`);
    expect(await codeOf(store.sendMessage(lead, send('back')))).toBe('ok');
    expect((await store.readTeam(lead.teamId as never)).messages.map((message) => message.body)).toEqual(['back']);
    await store.close();
  });
});

describe('a full disk', () => {
  it('answers STORAGE_FULL and writes nothing when the file cannot grow (SQLITE_FULL), then works once it can', async () => {
    const { path, store, lead } = await openTeam();
    const db = (store as unknown as { db: Database.Database }).db;
    // max_page_count caps this connection's file where it is now: the next page it needs fails
    // with SQLITE_FULL, the code SQLite answers for ENOSPC too (the server test fills a real tmpfs).
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const before = digestDatabase(path, { includeDecisionLog: true });
    let code = 'ok';
    for (let n = 0; n < 200 && code === 'ok'; n += 1) code = await codeOf(store.sendMessage(lead, send(`${n} ${'x'.repeat(3_000)}`)));
    expect(code).toBe('STORAGE_FULL');
    const error = await store.sendMessage(lead, send('y'.repeat(3_000))).catch((caught: unknown) => caught);
    expect(isTeamError(error) && error.message).toMatch(/disk holding the store is full/);
    const after = digestDatabase(path, { includeDecisionLog: true });
    // Whatever went in before the disk filled up is whole; the refused messages are not there at all.
    const bodies = (await store.readTeam(lead.teamId as never)).messages.map((message) => message.body);
    expect(bodies.every((body) => body.endsWith('x'.repeat(3_000)))).toBe(true);
    expect(after['messages']?.rows).toBe(bodies.length);
    expect(before['messages']?.rows).toBe(0);
    db.pragma('max_page_count = 1073741823');
    expect(await codeOf(store.sendMessage(lead, send('room again')))).toBe('ok');
    await store.close();
  });
});
