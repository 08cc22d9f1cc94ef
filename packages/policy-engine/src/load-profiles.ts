import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULTS, ProfileNameSchema, TeamError, type Profile } from '@codex-team/contracts';
import { parseProfile } from './parse-profile';

/** Where a loaded profile came from: the shipped `profiles/` directory or the user's own. */
export type ProfileOrigin = 'builtin' | 'user';

export interface LoadedProfile {
  profile: Profile;
  origin: ProfileOrigin;
  /** The file it was read from. */
  path: string;
}

/** Loaded profiles by name, in name order. */
export type ProfileSet = ReadonlyMap<string, LoadedProfile>;

export interface LoadProfilesOptions {
  /** The shipped profiles (`profiles/` at the repository root); must exist and hold `default`. */
  builtinDir: string;
  /** The user's own profiles (for example `~/.codex-team/profiles`); a missing directory is fine. */
  userDir?: string;
}

function profileFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((entry) => /\.ya?ml$/i.test(entry))
    .sort()
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

function readDir(dir: string, origin: ProfileOrigin, into: Map<string, LoadedProfile>): void {
  for (const path of profileFiles(dir)) {
    const profile = parseProfile(readFileSync(path, 'utf8'), path);
    const earlier = into.get(profile.name);
    if (earlier !== undefined) {
      const reason =
        earlier.origin === 'builtin' && origin === 'user'
          ? `user profile ${path} has the name of the built-in profile ${earlier.path}; ` +
            `built-in profiles cannot be replaced, give yours another name (for example my-${profile.name})`
          : `profile "${profile.name}" is defined twice: ${earlier.path} and ${path}`;
      throw new TeamError('CONFLICT', reason, { name: profile.name, paths: [earlier.path, path] });
    }
    into.set(profile.name, { profile, origin, path });
  }
}

/**
 * Reads every `*.yaml` / `*.yml` profile of the built-in directory, then of the user directory.
 * A user directory may add profiles but never replace a built-in one: a user file with a built-in
 * name is refused (`CONFLICT`) rather than silently shadowing it, so `default` always means the
 * shipped default. Any invalid file refuses the whole load (`INVALID_INPUT` with field and reason),
 * because running a team on a different profile than the one asked for would be worse.
 * Throws TeamError `INVALID_INPUT`, `CONFLICT`, or `NOT_FOUND` (no built-in directory or no default).
 */
export function loadProfiles(options: LoadProfilesOptions): ProfileSet {
  if (!existsSync(options.builtinDir) || !statSync(options.builtinDir).isDirectory()) {
    throw new TeamError('NOT_FOUND', `built-in profile directory ${options.builtinDir} does not exist`);
  }
  const loaded = new Map<string, LoadedProfile>();
  readDir(options.builtinDir, 'builtin', loaded);
  if (!loaded.has(DEFAULTS.profile)) {
    throw new TeamError('NOT_FOUND', `built-in profile directory ${options.builtinDir} has no ${DEFAULTS.profile}.yaml`);
  }
  if (options.userDir !== undefined && existsSync(options.userDir)) {
    if (!statSync(options.userDir).isDirectory()) {
      throw new TeamError('INVALID_INPUT', `user profile directory ${options.userDir} is not a directory`);
    }
    readDir(options.userDir, 'user', loaded);
  }
  return new Map([...loaded.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The profile called `name`. Throws TeamError `INVALID_INPUT` when the name is not a plain profile
 * name (a path, for instance) and `NOT_FOUND`, listing the known names, when no profile has it.
 */
export function resolveProfile(name: string, profiles: ProfileSet): Profile {
  const checked = ProfileNameSchema.safeParse(name);
  if (!checked.success) {
    const reason = checked.error.issues[0]?.message ?? 'invalid';
    throw new TeamError('INVALID_INPUT', `profile name ${JSON.stringify(name)} ${reason}`, {
      problems: [{ field: 'profile', reason }],
    });
  }
  const found = profiles.get(name);
  if (found === undefined) {
    const known = [...profiles.keys()];
    throw new TeamError('NOT_FOUND', `unknown profile "${name}"; known profiles: ${known.join(', ')}`, { name, known });
  }
  return found.profile;
}

/**
 * The nearest `profiles/` directory holding `default.yaml`, looking in `startDir` and its parents
 * (pass `__dirname`; works from `src/` under ts-jest and from a build output directory alike).
 * Throws TeamError `NOT_FOUND` when none is found.
 */
export function findBuiltinProfilesDir(startDir: string): string {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, 'profiles');
    if (existsSync(join(candidate, `${DEFAULTS.profile}.yaml`))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new TeamError('NOT_FOUND', `no profiles/${DEFAULTS.profile}.yaml above ${startDir}`);
    dir = parent;
  }
}

