import { createHash } from 'node:crypto';
import { connectPostgres } from '../postgres/pg-driver';
import { DECISION_LOG_TABLE, type DigestOptions, type TableDigest } from './database-digest';

/**
 * digestDatabase for a PostgreSQL store: every table of the database's store schema (the decision
 * log only when asked), its rows counted and hashed in a fixed order (each row's text form).
 */
export async function digestPostgres(url: string, options: DigestOptions & { schema?: string } = {}): Promise<Record<string, TableDigest>> {
  const client = await connectPostgres(url, options.schema);
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const digest: Record<string, TableDigest> = {};
    for (const { name } of tables.rows) {
      if (name === DECISION_LOG_TABLE && options.includeDecisionLog !== true) continue;
      // Table names come from the catalogue, not from callers; quoting keeps odd names safe.
      const quoted = `"${name.replace(/"/g, '""')}"`;
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${quoted} t ORDER BY 1`);
      const hash = createHash('sha256');
      for (const { row } of rows.rows) hash.update(`${row}\n`);
      digest[name] = { rows: rows.rows.length, sha256: hash.digest('hex') };
    }
    return digest;
  } finally {
    await client.end();
  }
}
