import type { Client, ClientBase } from 'pg';
import { TeamError } from '@codex-team/contracts';
import { checkAppliedMigrations, type AppliedMigration, type Migration, type SchemaCheck } from '../migrations';
import { redactStoreLocation } from '../store-location';
import { connectPostgres } from './pg-driver';

/** The SQLSTATEs of a `schema_migrations` table that is not ours: a column or the table missing. */
const FOREIGN_TABLE_STATES = new Set(['42703', '42P01']);

/** NOT_A_STORE for a PostgreSQL database (as its search_path shows it) without a codex-team schema. */
export function noPostgresStore(url: string): TeamError {
  return new TeamError(
    'NOT_A_STORE',
    `the PostgreSQL database ${redactStoreLocation(url)} holds no codex-team store (no codex-team schema); nothing was created in it: a server opened on it (codex-team serve --db URL) makes one`,
    { location: redactStoreLocation(url) },
  );
}

/**
 * FILE_ACCESS for a PostgreSQL database that could not be reached (no server there, a wrong name,
 * password or database): the driver's reason, its password masked even where the driver echoed it.
 */
export function postgresUnreachable(url: string, error: unknown): TeamError {
  const first = error instanceof AggregateError && error.errors[0] !== undefined ? error.errors[0] : error;
  const described = first instanceof Error && first.message !== '' ? first.message : String((first as { code?: unknown } | null)?.code ?? first);
  let reason = described.split('\n')[0] ?? described;
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password !== '') reason = reason.split(password).join('***');
  } catch {
    // An unparsable URL has no password to mask; the driver's reason names no URL then either.
  }
  return new TeamError('FILE_ACCESS', `cannot reach the PostgreSQL database ${redactStoreLocation(url)}: ${reason}`, { location: redactStoreLocation(url) });
}

/** A connected client of `url` (search_path `schema` when given); FILE_ACCESS when it cannot connect. */
export async function connectPostgresStore(url: string, schema?: string): Promise<Client> {
  try {
    return await connectPostgres(url, schema);
  } catch (error) {
    throw postgresUnreachable(url, error);
  }
}

/**
 * Reads, creating nothing, which codex-team store the database holds (as its search_path shows it):
 * null for none (no `schema_migrations` table), else its version and the migrations it lacks.
 * Refuses another application's `schema_migrations` with NOT_A_STORE; an applied migration that
 * differs from its file, or a newer schema, with SCHEMA_MISMATCH.
 */
export async function readPostgresStore(client: ClientBase, migrations: readonly Migration[], url: string): Promise<SchemaCheck | null> {
  const first = migrations[0];
  const table = await client.query<{ found: string | null }>("SELECT to_regclass('schema_migrations')::text AS found");
  if (table.rows[0]?.found == null) return null;
  let applied: AppliedMigration[];
  try {
    applied = (await client.query<AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version')).rows;
  } catch (error) {
    if (FOREIGN_TABLE_STATES.has(String((error as { code?: unknown }).code))) throw noPostgresStore(url);
    throw error;
  }
  const marker = first === undefined ? undefined : applied.find((row) => row.version === first.version);
  if (marker === undefined || marker.name !== first?.name || typeof marker.checksum !== 'string') throw noPostgresStore(url);
  return checkAppliedMigrations(applied, migrations);
}

/** readPostgresStore for a database that must hold a store: none is NOT_A_STORE. */
export async function checkPostgresStore(client: ClientBase, migrations: readonly Migration[], url: string): Promise<SchemaCheck> {
  const found = await readPostgresStore(client, migrations, url);
  if (found === null) throw noPostgresStore(url);
  return found;
}
