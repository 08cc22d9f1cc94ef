import { existsSync } from 'node:fs';
import { RandomIdGenerator, TeamError, isTeamError, systemClock } from '@codex-team/contracts';
import type { ProfileCatalog } from '@codex-team/policy-engine';
import {
  isPostgresUrl,
  openPostgresTeamStore,
  openPostgresTeamStoreReadOnly,
  openSqliteTeamStore,
  openSqliteTeamStoreReadOnly,
  redactStoreLocation,
  type SqliteTeamStore,
  type TeamStoreReader,
} from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { resolveStoreLocation } from '../codex/codex-paths';

/**
 * The store an operator's verb opens, as `--db` or the environment names it: a SQLite file or a
 * PostgreSQL database. This is the one place the CLI's verbs choose an engine; each opens its
 * store through openStoreReader or openStoreWriter, so every verb reads and steers a team on
 * either engine by the same rule.
 */
export interface OperatorStore {
  engine: 'sqlite' | 'postgres';
  /** The file made absolute, or the URL as given (password and all: never print it). */
  location: string;
  /** The location fit for messages and output: a URL's password masked. */
  shown: string;
}

/** The help line of `--db` for every verb that opens its store through this module. */
export const STORE_OPTION_DETAIL =
  '--db PATH|URL    store file or postgres:// URL (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)';

/** The store `--db` names, else `$CODEX_TEAM_DB`, `$CODEX_TEAM_HOME/team.db` or `~/.codex-team/team.db`. */
export function resolveOperatorStore(flag: string | undefined, io: CliIo): OperatorStore {
  const location = resolveStoreLocation(flag, io);
  return { engine: isPostgresUrl(location) ? 'postgres' : 'sqlite', location, shown: redactStoreLocation(location) };
}

/**
 * The store opened for reading only: nothing is written, created or migrated. Refuses a missing
 * file with NOT_FOUND, a file or database that holds no codex-team store with NOT_A_STORE, an
 * unreachable database with FILE_ACCESS (see the store's read-only openers).
 */
export async function openStoreReader(store: OperatorStore, profiles: ProfileCatalog): Promise<TeamStoreReader> {
  if (store.engine === 'postgres') return openPostgresTeamStoreReadOnly({ url: store.location, clock: systemClock, profiles });
  return openSqliteTeamStoreReadOnly({ path: store.location, clock: systemClock, profiles }).catch((error: unknown) => {
    if (isTeamError(error) && error.code === 'NOT_FOUND') throw noStoreFile(store.location);
    throw error;
  });
}

/**
 * The store opened for the operator's writes (an older schema is brought up to date, as a server
 * does), but only where a store already is: a missing file is NOT_FOUND, a database without a
 * codex-team store NOT_A_STORE, and neither gets one.
 */
export async function openStoreWriter(store: OperatorStore, profiles: ProfileCatalog): Promise<SqliteTeamStore> {
  const common = { clock: systemClock, ids: new RandomIdGenerator(), profiles };
  if (store.engine === 'postgres') return openPostgresTeamStore({ url: store.location, existingOnly: true, ...common });
  if (!existsSync(store.location)) throw noStoreFile(store.location);
  return openSqliteTeamStore({ path: store.location, ...common });
}

function noStoreFile(path: string): TeamError {
  return new TeamError('NOT_FOUND', `no store at ${path} (give --db, or start a team first)`, { path });
}
