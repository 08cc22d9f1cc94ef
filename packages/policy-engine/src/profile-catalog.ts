import { homedir } from 'node:os';
import { join } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import {
  findBuiltinProfilesDir,
  loadProfiles,
  resolveProfile,
  type LoadProfilesOptions,
  type LoadedProfile,
  type ProfileSet,
} from './load-profiles';

/**
 * The user's own profile directory unless told otherwise: `$CODEX_TEAM_HOME/profiles`, else
 * `~/.codex-team/profiles` (beside the default store). Takes the environment as an argument
 * because Codex starts MCP servers with a filtered one.
 */
export function defaultUserProfilesDir(env: Readonly<Record<string, string | undefined>>, home: string = homedir()): string {
  const teamHome = env['CODEX_TEAM_HOME'];
  if (teamHome !== undefined && teamHome !== '') return join(teamHome, 'profiles');
  return join(home, '.codex-team', 'profiles');
}

let shippedCatalog: ProfileCatalog | undefined;

/**
 * A catalog as plain data that another thread can rebuild (ProfileCatalog.fromPortable): the
 * directories it loads from, or the fixed set it holds.
 */
export type PortableProfileCatalog = { source: LoadProfilesOptions } | { fixed: ProfileSet };

/**
 * The profiles one server process knows, by name. A team names its profile in the store, and any
 * process may be asked about a profile another process just switched to: on a miss the catalog
 * reads its directories again once before answering NOT_FOUND, so a profile file added while the
 * servers run is usable without a restart. A reload that fails (a broken file) keeps the profiles
 * already loaded and reports the failure.
 */
export class ProfileCatalog {
  private current: ProfileSet;

  private constructor(
    private readonly source: LoadProfilesOptions | null,
    initial: ProfileSet,
  ) {
    this.current = initial;
  }

  /** Loads the built-in and user directories. Throws what loadProfiles throws. */
  static load(options: LoadProfilesOptions): ProfileCatalog {
    return new ProfileCatalog(options, loadProfiles(options));
  }

  /**
   * Like `load`, but a broken user directory does not stop a server from starting: the catalog
   * then holds the built-in profiles only, returns the error for the caller to log, and keeps
   * trying the user directory on every miss, so fixing the file heals it without a restart.
   * Throws only when the built-in profiles themselves cannot be loaded.
   */
  static loadOrBuiltin(options: LoadProfilesOptions): { catalog: ProfileCatalog; error: TeamError | null } {
    try {
      return { catalog: ProfileCatalog.load(options), error: null };
    } catch (error) {
      const builtin = loadProfiles({ builtinDir: options.builtinDir });
      const reason = error instanceof TeamError ? error : new TeamError('INVALID_INPUT', String(error));
      return { catalog: new ProfileCatalog(options, builtin), error: reason };
    }
  }

  /**
   * The profiles shipped with codex-team (`profiles/` beside the packages, found from this
   * package's own location), read once per process. Every store opened without a catalog uses it,
   * so no opener runs a team without its profile's budget, early stop and mode gates.
   * Throws TeamError `NOT_FOUND` when the shipped profiles are missing.
   */
  static shipped(): ProfileCatalog {
    shippedCatalog ??= ProfileCatalog.load({ builtinDir: findBuiltinProfilesDir(__dirname) });
    return shippedCatalog;
  }

  /**
   * The same catalog in another thread: from the same directories (a broken user directory gives
   * the built-in profiles and the error to report, as `loadOrBuiltin`), or the same fixed set.
   */
  static fromPortable(portable: PortableProfileCatalog): { catalog: ProfileCatalog; error: TeamError | null } {
    return 'source' in portable ? ProfileCatalog.loadOrBuiltin(portable.source) : { catalog: ProfileCatalog.of(portable.fixed), error: null };
  }

  /** This catalog as plain data, for `fromPortable` in another thread. */
  portable(): PortableProfileCatalog {
    return this.source === null ? { fixed: this.current } : { source: this.source };
  }

  /** A fixed set of profiles that never reloads (tests, embedded use). */
  static of(profiles: ProfileSet): ProfileCatalog {
    return new ProfileCatalog(null, profiles);
  }

  /** The profiles loaded so far, in name order. */
  get profiles(): ProfileSet {
    return this.current;
  }

  /**
   * The profile called `name` with its origin. Throws TeamError `INVALID_INPUT` for a name that is
   * not a plain profile name, `NOT_FOUND` (listing the known names) when no directory has it.
   */
  find(name: string): LoadedProfile {
    resolveProfile(name, this.current.has(name) ? this.current : this.reloaded(name));
    const found = this.current.get(name);
    if (found === undefined) throw new TeamError('INTERNAL', `profile ${name} vanished from the catalog`);
    return found;
  }

  private reloaded(name: string): ProfileSet {
    if (this.source === null) return this.current;
    try {
      this.current = loadProfiles(this.source);
    } catch (error) {
      throw new TeamError('NOT_FOUND', `profile "${name}" is not loaded and the profile directories could not be re-read`, {
        name,
        cause: error instanceof Error ? error.message : String(error),
      });
    }
    return this.current;
  }
}
