import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runWriteCeiling } from './write-ceiling';

jest.setTimeout(60_000);

// Another process takes the file's exclusive lock and keeps it past SQLite's 5 s busy_timeout, as a
// second benchmark worker opening the same fresh file may (switching to WAL needs the file alone).
const HOLDER = `
const D = require('better-sqlite3');
const db = new D(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
db.exec('CREATE TABLE held (x)');
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));
`;

function holdLock(path: string, ms: number): Promise<void> {
  const child = spawn(process.execPath, ['-e', HOLDER, path, String(ms)], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${String(code)} before locking`)));
  });
}

describe('the raw write ceiling of the claim benchmark', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-ceiling-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens its file with the store busy retry: it waits out a lock held past the busy timeout', async () => {
    const path = join(dir, 'raw.db');
    await holdLock(path, 6_500);
    const run = await runWriteCeiling(path, 'w0', 5);
    expect(run.latenciesMs).toHaveLength(5);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM write_ceiling').get()).toEqual({ n: 5 });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });
});
