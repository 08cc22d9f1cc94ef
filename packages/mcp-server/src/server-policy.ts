import { ProfileCatalog, findBuiltinProfilesDir } from '@codex-team/policy-engine';
import type { Logger } from 'pino';

/**
 * Loads the profiles of a server process: the built-in ones (the `profiles/` directory shipped
 * beside the packages) and the user's directory. The store is opened with the same catalog, so the
 * rules applied inside its transactions and the handlers read the same profiles. A broken user
 * profile is logged and the server starts with the built-in ones, so one bad file does not cut
 * every agent off; the catalog keeps retrying the user directory. Throws only when the built-in
 * profiles are missing or broken.
 */
export function loadServerProfiles(userProfilesDir: string | undefined, logger: Logger): ProfileCatalog {
  const builtinDir = findBuiltinProfilesDir(__dirname);
  const { catalog, error } = ProfileCatalog.loadOrBuiltin(
    userProfilesDir === undefined ? { builtinDir } : { builtinDir, userDir: userProfilesDir },
  );
  if (error !== null) {
    logger.error({ err: error, profiles_dir: userProfilesDir }, 'user profiles refused; serving the built-in profiles only');
  }
  return catalog;
}
