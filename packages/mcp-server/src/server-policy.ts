import { ProfileCatalog, findBuiltinProfilesDir, type CodexThreadCap } from '@codex-team/policy-engine';
import type { Logger } from 'pino';
import { ProfilePolicy } from './profile-policy';

/** The profiles of a server process and the team policy its store consults, over the same catalog. */
export interface ServerPolicy {
  profiles: ProfileCatalog;
  policy: ProfilePolicy;
}

/**
 * Loads the built-in profiles (the `profiles/` directory shipped beside the packages) and the
 * user's directory. A broken user profile is logged and the server starts with the built-in ones,
 * so one bad file does not cut every agent off; the catalog keeps retrying the user directory.
 * Throws only when the built-in profiles are missing or broken. `codex` is Codex's own thread cap,
 * when the server was told it; the policy never lets a team past it.
 */
export function loadServerPolicy(userProfilesDir: string | undefined, logger: Logger, codex?: CodexThreadCap): ServerPolicy {
  const builtinDir = findBuiltinProfilesDir(__dirname);
  const { catalog, error } = ProfileCatalog.loadOrBuiltin(
    userProfilesDir === undefined ? { builtinDir } : { builtinDir, userDir: userProfilesDir },
  );
  if (error !== null) {
    logger.error({ err: error, profiles_dir: userProfilesDir }, 'user profiles refused; serving the built-in profiles only');
  }
  return { profiles: catalog, policy: new ProfilePolicy(catalog, logger, codex) };
}
