import { ProfileNameSchema, ProfileSchema, type Profile } from '@codex-team/contracts';
import { readYamlFile, type FileProblem, type YamlFileKind } from './yaml-file';

/** One reason a profile file is refused: the dotted field path (`threads.hard_cap`) and why. */
export type ProfileProblem = FileProblem;

/** Profiles are a few dozen lines; anything much larger is a mistake, not a profile. */
const PROFILE_MAX_CHARS = 64 * 1024;

/**
 * The profile name a file must declare: its base name without `.yaml` / `.yml`.
 * Pure string work (both separators), so it behaves the same on every platform.
 */
export function profileNameOfSource(source: string): string {
  const base = source.split(/[/\\]/).pop() ?? source;
  return base.replace(/\.ya?ml$/i, '');
}

/** The file name must be a profile name, and the declared name must equal it. */
function nameProblems(input: Record<string, unknown>, source: string): ProfileProblem[] {
  const expectedName = profileNameOfSource(source);
  const fileName = ProfileNameSchema.safeParse(expectedName);
  const declared = input['name'];
  if (!fileName.success) {
    return [
      {
        field: 'name',
        reason: `the file name "${expectedName}" is not a valid profile name: ${fileName.error.issues[0]?.message ?? 'invalid'}`,
      },
    ];
  }
  if (typeof declared === 'string' && ProfileNameSchema.safeParse(declared).success && declared !== expectedName) {
    return [{ field: 'name', reason: `must match the file name "${expectedName}", got "${declared}"` }];
  }
  return [];
}

const PROFILE_FILE: YamlFileKind<Profile> = {
  describe: (source) => `profile ${source} is`,
  fields: 'profile fields',
  maxChars: PROFILE_MAX_CHARS,
  schema: ProfileSchema,
  extraProblems: nameProblems,
};

/**
 * Parses and validates one profile file. Pure: `text` is the file content, `source` its file name
 * (or path), whose base name the profile's `name` must equal.
 * Throws TeamError `INVALID_INPUT` whose `details.problems` lists every `{field, reason}` found.
 */
export function parseProfile(text: string, source: string): Profile {
  return readYamlFile(text, source, PROFILE_FILE);
}
