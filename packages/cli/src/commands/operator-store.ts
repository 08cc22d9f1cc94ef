import { existsSync } from 'node:fs';
import { RandomIdGenerator, TeamError, systemClock, type Team } from '@codex-team/contracts';
import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { resolveProfilesDir, resolveStoreFile } from '../codex/codex-paths';
import { TEAM_SOURCE_OPTIONS, resolveTeam } from '../team-view/team-source';
import { stringOption, type OptionValues, type OptionsConfig } from './command';

/** Options of the verbs that change a store as the operator. */
export const OPERATOR_STORE_OPTIONS: OptionsConfig = TEAM_SOURCE_OPTIONS;

export const OPERATOR_STORE_DETAILS: readonly string[] = [
  '--db PATH        store file (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)',
  '--profiles-dir DIR  your own profiles (default: $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles)',
  '--json           print JSON instead of text',
  'Audited as the operator (actor kind operator), in one transaction; safe while servers run.',
];

/** Runs `work` on the store opened for writing (an existing store only: NOT_FOUND otherwise), and always closes it. */
export async function withWritableStore<T>(values: OptionValues, io: CliIo, work: (store: SqliteTeamStore, dbPath: string) => Promise<T>): Promise<T> {
  const dbPath = resolveStoreFile(stringOption(values, 'db'), io);
  if (!existsSync(dbPath)) throw new TeamError('NOT_FOUND', `no store at ${dbPath} (give --db, or start a team first)`, { path: dbPath });
  const userDir = resolveProfilesDir(stringOption(values, 'profiles-dir'), io);
  const { catalog } = ProfileCatalog.loadOrBuiltin({ builtinDir: findBuiltinProfilesDir(__dirname), userDir });
  const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator(), profiles: catalog });
  try {
    return await work(store, dbPath);
  } finally {
    await store.close();
  }
}

/** withWritableStore, with the team `ref` names (id, then name). */
export function withOperatorTeam<T>(values: OptionValues, io: CliIo, ref: string, work: (store: SqliteTeamStore, team: Team) => Promise<T>): Promise<T> {
  return withWritableStore(values, io, async (store, dbPath) => work(store, resolveTeam(await store.listTeams(), ref, dbPath)));
}
