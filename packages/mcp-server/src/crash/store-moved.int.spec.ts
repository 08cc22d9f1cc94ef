import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestDatabase } from '@codex-team/store/testing';
import { closeAllStdioAgents, spawnStdioAgent } from '../testing/stdio-process';

// A store file pulled away under live server processes: deleted (with its log), or replaced by
// another store. The servers that had it open answer STORE_MOVED to every call, writes and reads,
// and write nothing anywhere; a new server on the path works on the store now at the path. So at
// any moment exactly one store answers `ok`: the one at the path.

jest.setTimeout(120_000);

const args = ['--log-level', 'warn'];
const FILES = ['', '-wal', '-shm'];

describe('a store pulled away under live servers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-moved-'));
  });
  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deleted: the old server answers STORE_MOVED to every call and stays up; a new server starts a store of its own that the old one never touches', async () => {
    const dbPath = join(dir, 'deleted.db');
    const old = await spawnStdioAgent(dbPath, args, { listTools: false });
    const mate = await spawnStdioAgent(dbPath, args, { listTools: false });
    await old.caller.ok('team_start', { name: 'first' });
    const spawned = await old.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
    await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
    await old.caller.ok('team_task_create', { tasks: [{ title: 'before' }] });
    for (const suffix of FILES) rmSync(`${dbPath}${suffix}`);

    const write = { tasks: [{ title: 'into the void' }] };
    for (const agent of [old, mate]) {
      expect(await agent.caller.code('team_task_create', write)).toBe('STORE_MOVED');
      expect(await agent.caller.code('team_status')).toBe('STORE_MOVED');
      expect(await agent.caller.code('team_task_list')).toBe('STORE_MOVED');
      await expect(agent.caller.client.ping()).resolves.toBeDefined();
    }
    const moved = await old.caller.fails('team_send', { to: '*', body: 'hello' });
    expect(moved.message).toContain('restart the session');
    expect(moved.details).toMatchObject({ path: dbPath, change: 'deleted' });

    // A new server on the path makes a new store; the old servers go on refusing, never writing into it.
    const fresh = await spawnStdioAgent(dbPath, args, { listTools: false });
    await fresh.caller.ok('team_start', { name: 'second' });
    expect((await fresh.caller.ok('team_task_list', {})).tasks).toEqual([]);
    // The read's decision is queued for up to 10 ms (group commit): let it land before the digest.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = digestDatabase(dbPath, { includeDecisionLog: true });
    expect(await old.caller.code('team_task_create', write)).toBe('STORE_MOVED');
    expect(await mate.caller.code('team_inbox', { ack: [] })).toBe('STORE_MOVED');
    // The old servers' sessions end (their Codex threads close): closing touches nothing at the path.
    await old.close();
    await mate.close();
    await Promise.all([old.exited, mate.exited]);
    expect(digestDatabase(dbPath, { includeDecisionLog: true })).toEqual(before);
    expect((await fresh.caller.ok('team_task_create', { tasks: [{ title: 'after' }] })).ids).toHaveLength(1);
  });

  it('replaced by another store (a restore): the old server answers STORE_MOVED and leaves the restored store as it was', async () => {
    const dbPath = join(dir, 'replaced.db');
    const backupPath = join(dir, 'backup.db');
    const other = await spawnStdioAgent(backupPath, args, { listTools: false });
    await other.caller.ok('team_start', { name: 'backup' });
    await other.close();
    await other.exited;
    const old = await spawnStdioAgent(dbPath, args, { listTools: false });
    await old.caller.ok('team_start', { name: 'live' });
    const restored = digestDatabase(backupPath, { includeDecisionLog: true });
    for (const suffix of ['-wal', '-shm']) rmSync(`${dbPath}${suffix}`);
    copyFileSync(backupPath, `${dbPath}.restore`);
    renameSync(`${dbPath}.restore`, dbPath);

    expect(await old.caller.code('team_task_create', { tasks: [{ title: 'x' }] })).toBe('STORE_MOVED');
    expect((await old.caller.fails('team_status')).details).toMatchObject({ path: dbPath, change: 'replaced' });
    expect(digestDatabase(dbPath, { includeDecisionLog: true })).toEqual(restored);
    await old.close();
    await old.exited;
    expect(digestDatabase(dbPath, { includeDecisionLog: true })).toEqual(restored);
  });
});
