import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { TeamError, fileAccessError } from '@codex-team/contracts';
import { readAppliedMigrations, type Migration } from './migrations';
import { isBusyError } from './sqlite/busy-error';

/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** What a store path holds, found with `fs` alone: SQLite never touches a file it does not own. */
export type StoreFile =
  | { kind: 'missing' }
  /** An empty file: SQLite treats it as a new database. */
  | { kind: 'empty' }
  | { kind: 'sqlite'; stats: Stats };

function statOrMissing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    // ENOTDIR: a part of the path is a file, so nothing is at the path itself.
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fileAccessError('look at', path, error);
  }
}

/**
 * Looks at a store path without opening it as a database. Refuses with `NOT_A_STORE` a folder,
 * a device or pipe, and a file that is not SQLite; with `FILE_ACCESS` a file it cannot read.
 */
export function inspectStoreFile(path: string): StoreFile {
  const stats = statOrMissing(path);
  if (stats === undefined) return { kind: 'missing' };
  if (stats.isDirectory()) throw new TeamError('NOT_A_STORE', `${path} is a folder, not a store file`, { path });
  if (!stats.isFile()) throw new TeamError('NOT_A_STORE', `${path} is not a regular file`, { path });
  if (stats.size === 0) return { kind: 'empty' };
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  let read = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw fileAccessError('read', path, error);
  }
  if (read < header.length || !header.equals(SQLITE_MAGIC)) {
    throw new TeamError('NOT_A_STORE', `${path} is not a SQLite database, so not a codex-team store; it was left as it was`, { path });
  }
  return { kind: 'sqlite', stats };
}

/**
 * The store's write-ahead log: absent when no connection has the store open (the last one to
 * close removes it), else whether it holds commits not yet copied into the main file.
 */
export function writeAheadLog(path: string): 'absent' | 'empty' | 'holds-commits' {
  const wal = statOrMissing(`${path}-wal`);
  return wal === undefined ? 'absent' : wal.size === 0 ? 'empty' : 'holds-commits';
}

/**
 * Whether an open SQLite database is a codex-team store: its `schema_migrations` table, with
 * codex-team's columns, records this code's first migration by number and name. Another
 * application's table of that name (Rails, golang-migrate...) does not match. Whether the
 * checksums agree is the schema check's question (SCHEMA_MISMATCH), not this one. Reads only.
 */
export function isCodexTeamStore(db: Database.Database, migrations: readonly Migration[]): boolean {
  const first = migrations[0];
  if (first === undefined) return false;
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return false;
  try {
    const row = readAppliedMigrations(db).find((applied) => applied.version === first.version);
    return row !== undefined && row.name === first.name && typeof row.checksum === 'string';
  } catch (error) {
    if (isBusyError(error)) throw error;
    // A `schema_migrations` table with other columns belongs to another application.
    return false;
  }
}

/** Whether an open SQLite database holds no schema at all (a new file). Reads only. */
export function isBlankDatabase(db: Database.Database): boolean {
  return db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get() === undefined;
}

/** The NOT_A_STORE refusal for a SQLite database of another application. */
export function notAStore(path: string): TeamError {
  return new TeamError(
    'NOT_A_STORE',
    `${path} is a SQLite database but not a codex-team store (no codex-team schema); it was left as it was`,
    { path },
  );
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's own `mkdirSync(recursive)`
 * loops for ever where a file system answers ENOENT for a child of an existing folder (`/proc`);
 * this fails instead with FILE_ACCESS naming the folder it could not create.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const stats = statOrMissing(at);
    if (stats !== undefined) {
      if (!stats.isDirectory()) {
        throw new TeamError('FILE_ACCESS', `cannot create ${dir}: ${at} is not a folder`, { path: dir });
      }
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST' && existsSync(folder)) continue;
      throw fileAccessError('create the folder', folder, error);
    }
  }
}

/** A file a store connection holds open, as the file system named it when the store was opened. */
interface HeldFile {
  label: 'database' | 'write-ahead log' | 'shared-memory index';
  path: string;
  /** Device and inode; null until the file first exists (SQLite makes the log on first use). */
  id: { dev: bigint; ino: bigint } | null;
}

function fileId(path: string): { dev: bigint; ino: bigint } | undefined {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino };
}

/**
 * The one rule of store identity: the store a server has open is the file at its path, told by
 * device and inode, for the database file and the two files SQLite keeps beside it in WAL mode
 * (`-wal`, `-shm`). While a connection holds a file open its inode cannot be reused, so a file
 * deleted, renamed away or replaced (by a copy, a restore, a new store made at the path) is
 * always told apart. Each transaction checks it just before it commits (TransactionRunner): a
 * server whose files are no longer the ones at the path answers `STORE_MOVED` and writes nothing
 * more into them, so only the store at the path ever answers `ok`.
 */
export class StoreIdentity {
  private constructor(
    private readonly path: string,
    private readonly files: HeldFile[],
  ) {}

  /** The identity of the store just opened at `path`. */
  static capture(path: string): StoreIdentity {
    const files: HeldFile[] = [
      { label: 'database', path, id: null },
      { label: 'write-ahead log', path: `${path}-wal`, id: null },
      { label: 'shared-memory index', path: `${path}-shm`, id: null },
    ];
    for (const file of files) file.id = fileId(file.path) ?? null;
    if (files[0]?.id === null) throw new TeamError('STORE_MOVED', `the store ${path} vanished while it was being opened`, { path });
    return new StoreIdentity(path, files);
  }

  /** Throws `STORE_MOVED` when a file this store holds open is no longer the file at its path. */
  check(): void {
    for (const file of this.files) {
      const now = fileId(file.path);
      if (file.id === null) {
        // Made after the open (SQLite creates the log lazily): this first sighting is the one held.
        if (now !== undefined && file.label !== 'database') file.id = now;
        continue;
      }
      if (now !== undefined && now.dev === file.id.dev && now.ino === file.id.ino) continue;
      throw new TeamError(
        'STORE_MOVED',
        `the store's ${file.label} ${file.path} was ${now === undefined ? 'deleted' : 'replaced'} while this server had it open; ` +
          `nothing changed and this server writes nothing more to it: restart the session (its MCP server) to use the store now at ${this.path}`,
        { path: this.path, file: file.path, change: now === undefined ? 'deleted' : 'replaced' },
      );
    }
  }
}
