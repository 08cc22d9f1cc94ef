import type { Team } from '@codex-team/contracts';
import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import type { SqliteTeamStore } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { resolveProfilesDir } from '../codex/codex-paths';
import { STORE_OPTION_DETAIL, openStoreWriter, resolveOperatorStore, type OperatorStore } from '../team-view/store-engine';
import { TEAM_SOURCE_OPTIONS, resolveTeam } from '../team-view/team-source';
import { stringOption, type OptionValues, type OptionsConfig } from './command';

/** Options of the verbs that change a store as the operator. */
export const OPERATOR_STORE_OPTIONS: OptionsConfig = TEAM_SOURCE_OPTIONS;

export const OPERATOR_STORE_DETAILS: readonly string[] = [
  STORE_OPTION_DETAIL,
  '--profiles-dir DIR  your own profiles (default: $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles)',
  '--json           print JSON instead of text',
  'Audited as the operator (actor kind operator), in one transaction; safe while servers run.',
];

/**
 * Runs `work` on the store opened for writing (an existing store only: NOT_FOUND for a missing
 * file, NOT_A_STORE for a database without one), and always closes it.
 */
export async function withWritableStore<T>(values: OptionValues, io: CliIo, work: (store: SqliteTeamStore, location: OperatorStore) => Promise<T>): Promise<T> {
  const location = resolveOperatorStore(stringOption(values, 'db'), io);
  const userDir = resolveProfilesDir(stringOption(values, 'profiles-dir'), io);
  const { catalog } = ProfileCatalog.loadOrBuiltin({ builtinDir: findBuiltinProfilesDir(__dirname), userDir });
  const store = await openStoreWriter(location, catalog);
  try {
    return await work(store, location);
  } finally {
    await store.close();
  }
}

/** withWritableStore, with the team `ref` names (id, then name). */
export function withOperatorTeam<T>(values: OptionValues, io: CliIo, ref: string, work: (store: SqliteTeamStore, team: Team) => Promise<T>): Promise<T> {
  return withWritableStore(values, io, async (store, location) => work(store, resolveTeam(await store.listTeams(), ref, location.shown)));
}
