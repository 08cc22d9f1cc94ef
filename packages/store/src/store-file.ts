import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { TeamError, fileAccessError } from '@codex-team/contracts';
import { readAppliedMigrations, type Migration } from './migrations';
import { isBusyError } from './sqlite/transaction';

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
