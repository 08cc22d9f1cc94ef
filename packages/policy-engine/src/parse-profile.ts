import { ProfileNameSchema, ProfileSchema, TeamError, type Profile } from '@codex-team/contracts';
import { parseDocument } from 'yaml';

/** One reason a profile file is refused: the dotted field path (`threads.hard_cap`) and why. */
export interface ProfileProblem {
  field: string;
  reason: string;
}

/** One zod issue as ProfileSchema reports it (typed through the schema: no direct zod import). */
type ProfileIssue = NonNullable<ReturnType<typeof ProfileSchema.safeParse>['error']>['issues'][number];

/** Field name used for problems of the file as a whole (YAML syntax, not a mapping, too big). */
export const WHOLE_FILE = '(file)';

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

function fieldOf(path: readonly PropertyKey[]): string {
  let field = '';
  for (const key of path) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += field === '' ? String(key) : `.${String(key)}`;
  }
  return field === '' ? WHOLE_FILE : field;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

const EXPECTED_TEXT: Record<string, string> = {
  object: 'must be a mapping',
  string: 'must be text',
  boolean: 'must be true or false',
  number: 'must be a number',
  int: 'must be a whole number',
  array: 'must be a list',
};

function problemsOf(issue: ProfileIssue, input: unknown): ProfileProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), reason: 'is not a known key' }));
  }
  const field = fieldOf(issue.path);
  if (issue.code === 'invalid_type') {
    const value = valueAt(input, issue.path);
    if (value === undefined) return [{ field, reason: 'is required' }];
    const expected = issue.message.startsWith('Invalid input')
      ? (EXPECTED_TEXT[issue.expected] ?? `must be ${issue.expected}`)
      : issue.message;
    return [{ field, reason: `${expected}, got ${describeValue(value)}` }];
  }
  return [{ field, reason: issue.message }];
}

function refuse(source: string, problems: ProfileProblem[]): TeamError {
  const summary = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
  return new TeamError('INVALID_INPUT', `profile ${source} is invalid: ${summary}`, { source, problems });
}

/**
 * Parses and validates one profile file. Pure: `text` is the file content, `source` its file name
 * (or path), whose base name the profile's `name` must equal.
 * Throws TeamError `INVALID_INPUT` whose `details.problems` lists every `{field, reason}` found.
 */
export function parseProfile(text: string, source: string): Profile {
  if (text.length > PROFILE_MAX_CHARS) {
    throw refuse(source, [{ field: WHOLE_FILE, reason: `is larger than ${PROFILE_MAX_CHARS} characters` }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw refuse(
      source,
      doc.errors.map((e) => ({ field: WHOLE_FILE, reason: `is not valid YAML: ${e.message.split('\n')[0] ?? e.code}` })),
    );
  }
  const input: unknown = doc.toJS({ maxAliasCount: 20 });
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw refuse(source, [{ field: WHOLE_FILE, reason: `must be a mapping of profile fields, got ${describeValue(input)}` }]);
  }

  const problems: ProfileProblem[] = [];
  const expectedName = profileNameOfSource(source);
  const fileName = ProfileNameSchema.safeParse(expectedName);
  const declared = (input as Record<string, unknown>).name;
  if (!fileName.success) {
    problems.push({
      field: 'name',
      reason: `the file name "${expectedName}" is not a valid profile name: ${fileName.error.issues[0]?.message ?? 'invalid'}`,
    });
  } else if (typeof declared === 'string' && ProfileNameSchema.safeParse(declared).success && declared !== expectedName) {
    problems.push({ field: 'name', reason: `must match the file name "${expectedName}", got "${declared}"` });
  }

  const result = ProfileSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...problemsOf(issue, input));
  }
  if (problems.length > 0 || !result.success) throw refuse(source, problems);
  return result.data;
}
