import { createHash } from 'node:crypto';
import { sqliteDatabase } from '../sqlite/native-sqlite';

/**
 * The decision log records calls, refused ones included: a refused call changes no state but adds
 * its decision there. Digests leave it out unless asked, so they compare state.
 */
export const DECISION_LOG_TABLE = 'authz_decisions';

export interface DigestOptions {
  /** Include the decision log too. @default false */
  includeDecisionLog?: boolean;
}

export interface TableDigest {
  rows: number;
  /** sha256 over every row in rowid order; equal digests mean equal contents. */
  sha256: string;
}

/**
 * A read-only fingerprint of every table of a store file (the decision log only when asked). Tests
 * and `codex-team doctor` use it to show that a refused call changed nothing, without reaching into
 * the schema themselves.
 */
export function digestDatabase(path: string, options: DigestOptions = {}): Record<string, TableDigest> {
  const db = new (sqliteDatabase())(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    const digest: Record<string, TableDigest> = {};
    for (const table of tables) {
      if (table === DECISION_LOG_TABLE && options.includeDecisionLog !== true) continue;
      const hash = createHash('sha256');
      let rows = 0;
      // Table names come from sqlite_master, not from callers; quoting keeps odd names safe.
      const quoted = `"${table.replace(/"/g, '""')}"`;
      for (const row of db.prepare(`SELECT * FROM ${quoted} ORDER BY rowid`).iterate()) {
        hash.update(JSON.stringify(row));
        hash.update('\n');
        rows += 1;
      }
      digest[table] = { rows, sha256: hash.digest('hex') };
    }
    return digest;
  } finally {
    db.close();
  }
}

/**
 * SQLite's own `PRAGMA integrity_check` of a store file, read-only: `ok`, or the problems found one
 * per line. Crash tests run it after killing writers mid-transaction.
 */
export function checkDatabaseIntegrity(path: string): string {
  const db = new (sqliteDatabase())(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).join('\n');
  } finally {
    db.close();
  }
}
