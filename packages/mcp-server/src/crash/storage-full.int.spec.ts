import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDatabaseIntegrity } from '@codex-team/store/testing';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from '../testing/stdio-process';

// A full disk under a live server process, for real: the server runs in a mount namespace of its
// own (unshare) whose store folder is an 8 MiB tmpfs, and the test fills that file system through
// /proc/<pid>/root. SQLite answers a write that meets ENOSPC with SQLITE_FULL, which the store's one
// error translation answers as STORAGE_FULL; the store unit spec reaches the same code with
// max_page_count, without a file system. A tmpfs is used rather than filling a real disk that
// other processes share. This needs unshare(1) with user namespaces (util-linux, as in CI).

jest.setTimeout(120_000);

const TMPFS_BYTES = 8 * 1024 * 1024;

/** Fills the file system holding `path` until it refuses another byte; returns the bytes written. */
function fillUp(path: string): number {
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  for (let n = 0; ; n += 1) {
    try {
      writeFileSync(`${path}.${n}`, chunk);
      written += chunk.length;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOSPC') throw error;
      // The last chunk did not fit: fill what is left of it byte by byte, down to a small remainder.
      for (const size of [16_384, 4_096, 512, 1]) {
        for (let m = 0; ; m += 1) {
          try {
            writeFileSync(`${path}.${n}.${size}.${m}`, Buffer.alloc(size, 1));
            written += size;
          } catch (inner) {
            if ((inner as { code?: unknown }).code !== 'ENOSPC') throw inner;
            break;
          }
        }
      }
      return written;
    }
  }
}

describe('a full disk under a live server', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-full-'));
  });
  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers STORAGE_FULL, changes nothing, keeps the file whole and works again once there is room', async () => {
    // The precondition, said plainly when it is missing rather than skipped.
    expect(() => execFileSync('unshare', ['--user', '--map-root-user', '--mount', 'true'])).not.toThrow();
    const mountPoint = join(dir, 'mnt');
    execFileSync('mkdir', ['-p', mountPoint]);
    const script = `mount -t tmpfs -o size=${TMPFS_BYTES} tmpfs "${mountPoint}" && exec "$@"`;
    const dbPath = join(mountPoint, 'team.db');
    const agent: StdioAgent = await spawnStdioAgent(dbPath, ['--log-level', 'warn'], {
      listTools: false,
      launcher: ['unshare', '--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh'],
    });
    // The store as the server's namespace sees it.
    const inside = (path: string): string => join(`/proc/${agent.pid}/root`, path);
    await agent.caller.ok('team_start', { name: 'full' });
    const publish = (name: string) => agent.caller.call('team_artifact_publish', { name, content: `${name} ${'x'.repeat(200_000)}` });
    expect((await publish('room')).isError).not.toBe(true);

    expect(fillUp(inside(join(mountPoint, 'filler')))).toBeGreaterThan(0);
    const names = async (): Promise<string[]> => (await agent.caller.ok('team_artifact_list', {})).artifacts.map((artifact) => artifact.name).sort();
    const before = await names();
    let refused: { code: string; message: string } | null = null;
    let accepted = 0;
    for (let n = 0; n < 20 && refused === null; n += 1) {
      const result = await publish(`after-${n}`);
      if (result.isError === true) {
        const first = result.content[0];
        refused = (JSON.parse(first?.type === 'text' ? first.text : '{}') as { error: { code: string; message: string } }).error;
      } else {
        // A WAL that was checkpointed has room of its own: a write may still fit, and is whole.
        accepted += 1;
        before.push(`after-${n}`);
        before.sort();
      }
    }
    expect(refused?.code).toBe('STORAGE_FULL');
    expect(refused?.message).toMatch(/disk holding the store is full/);
    // The refused publish left nothing: the same artifacts as before it, every earlier one whole.
    expect(await names()).toEqual(before);
    expect(accepted).toBeLessThan(20);
    expect(() => process.kill(agent.pid, 0)).not.toThrow();

    execFileSync('sh', ['-c', `rm -f "${inside(join(mountPoint, 'filler'))}".*`]);
    expect((await publish('room-again')).isError).not.toBe(true);
    expect(await names()).toEqual([...before, 'room-again'].sort());
    // SQLite resolves /proc/<pid>/root to this namespace's path, so the idle server's files are
    // copied out (the file and its log) and checked there.
    const copy = join(dir, 'copy.db');
    for (const suffix of ['', '-wal']) copyFileSync(inside(`${dbPath}${suffix}`), `${copy}${suffix}`);
    expect(checkDatabaseIntegrity(copy)).toBe('ok');
    await agent.close();
  });
});
