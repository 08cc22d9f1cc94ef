import { TeamError } from '@codex-team/contracts';
import { parseDocument } from 'yaml';

/** One reason a YAML file is refused: the dotted field path (`threads.hard_cap`) and why. */
export interface FileProblem {
  field: string;
  reason: string;
}

/** Field name used for problems of the file as a whole (YAML syntax, not a mapping, too big). */
export const WHOLE_FILE = '(file)';

/** One issue as a zod schema reports it (structurally: the engine does not import zod itself). */
interface SchemaIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
  expected?: string;
}

/** The part of a zod schema the reader uses. */
export interface FileSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: { issues: readonly SchemaIssue[] } };
}

/** How one kind of YAML file is read: its size limit, its schema and what it is called. */
export interface YamlFileKind<T> {
  /** How a refusal names the file: `profile ${source} is` or `permissions ${source} are`. */
  describe(source: string): string;
  /** What the mapping holds, for the "must be a mapping of ..." problem. */
  fields: string;
  maxChars: number;
  schema: FileSchema<T>;
  /** Problems the schema cannot see (the name must match the file name), reported with its own. */
  extraProblems?(input: Record<string, unknown>, source: string): FileProblem[];
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

/** A value as a problem names it: `a list`, `number 3`, `text "abc"`. */
export function describeValue(value: unknown): string {
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

function problemsOf(issue: SchemaIssue, input: unknown): FileProblem[] {
  if (issue.code === 'unrecognized_keys' && issue.keys !== undefined) {
    return issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), reason: 'is not a known key' }));
  }
  const field = fieldOf(issue.path);
  if (issue.code === 'invalid_type') {
    const value = valueAt(input, issue.path);
    if (value === undefined) return [{ field, reason: 'is required' }];
    const expected = issue.message.startsWith('Invalid input')
      ? (EXPECTED_TEXT[issue.expected ?? ''] ?? `must be ${String(issue.expected)}`)
      : issue.message;
    return [{ field, reason: `${expected}, got ${describeValue(value)}` }];
  }
  return [{ field, reason: issue.message }];
}

/** INVALID_INPUT listing every problem, in the words of the file's kind. */
export function refuseFile(kind: Pick<YamlFileKind<unknown>, 'describe'>, source: string, problems: FileProblem[]): TeamError {
  const summary = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
  return new TeamError('INVALID_INPUT', `${kind.describe(source)} invalid: ${summary}`, { source, problems });
}

/**
 * The one way a YAML file of ours is read: its size is checked, it is parsed (duplicate keys and
 * alias bombs refused), it must be a mapping, and its schema and extra checks run, every problem
 * found reported at once. Pure: `text` is the file content, `source` names it.
 * Throws TeamError `INVALID_INPUT` whose `details.problems` lists every `{field, reason}`.
 */
export function readYamlFile<T>(text: string, source: string, kind: YamlFileKind<T>): T {
  if (text.length > kind.maxChars) {
    throw refuseFile(kind, source, [{ field: WHOLE_FILE, reason: `is larger than ${kind.maxChars} characters` }]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw refuseFile(
      kind,
      source,
      doc.errors.map((e) => ({ field: WHOLE_FILE, reason: `is not valid YAML: ${e.message.split('\n')[0] ?? e.code}` })),
    );
  }
  const input: unknown = doc.toJS({ maxAliasCount: 20 });
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw refuseFile(kind, source, [{ field: WHOLE_FILE, reason: `must be a mapping of ${kind.fields}, got ${describeValue(input)}` }]);
  }
  const problems = kind.extraProblems?.(input as Record<string, unknown>, source) ?? [];
  const result = kind.schema.safeParse(input);
  if (!result.success) for (const issue of result.error.issues) problems.push(...problemsOf(issue, input));
  if (problems.length > 0 || !result.success) throw refuseFile(kind, source, problems);
  return result.data;
}
