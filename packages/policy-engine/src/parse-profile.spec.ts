import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTeamError, type TeamError } from '@codex-team/contracts';
import { parse, stringify } from 'yaml';
import { parseProfile, type ProfileProblem } from './parse-profile';

const profilesDir = join(__dirname, '../../../profiles');
const defaultText = readFileSync(join(profilesDir, 'default.yaml'), 'utf8');

/**
 * default.yaml with `patch` applied, as YAML text: each key is a dotted field path, each value the
 * new value there; `undefined` deletes the field.
 */
function variant(patch: Record<string, unknown>): string {
  const doc = parse(defaultText) as Record<string, unknown>;
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let node = doc;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (value === undefined) Reflect.deleteProperty(node, last);
    else node[last] = value;
  }
  return stringify(doc);
}

function refusal(text: string, source = 'default.yaml'): TeamError {
  try {
    parseProfile(text, source);
  } catch (error) {
    if (isTeamError(error)) return error;
    throw error;
  }
  throw new Error('expected the profile to be refused');
}

function problemsOf(text: string, source?: string): ProfileProblem[] {
  const error = refusal(text, source);
  expect(error.code).toBe('INVALID_INPUT');
  return (error.details as { problems: ProfileProblem[] }).problems;
}

describe('parseProfile', () => {
  it('accepts the shipped default profile', () => {
    const profile = parseProfile(defaultText, 'default.yaml');
    expect(profile.name).toBe('default');
    expect(profile.threads).toEqual({ default: 6, hard_cap: 6 });
  });

  it('refuses an unknown key with its full field path', () => {
    const text = variant({ 'threads.max_threds': 4 });
    expect(problemsOf(text)).toEqual([{ field: 'threads.max_threds', reason: 'is not a known key' }]);
  });

  it('refuses an unknown top-level key', () => {
    expect(problemsOf(variant({ extends: 'fast' }))).toEqual([{ field: 'extends', reason: 'is not a known key' }]);
  });

  it('refuses a wrong type and says what it got', () => {
    const text = variant({ 'threads.hard_cap': 'six' });
    expect(problemsOf(text)).toEqual([{ field: 'threads.hard_cap', reason: 'must be a whole number, got text "six"' }]);
    expect(problemsOf(variant({ 'guardrails.early_stop': 'yes' }))).toEqual([
      { field: 'guardrails.early_stop', reason: 'must be true or false, got text "yes"' },
    ]);
    expect(problemsOf(variant({ lease: 60000 }))).toEqual([
      { field: 'lease', reason: 'must be a mapping, got number 60000' },
    ]);
  });

  it('refuses a thread cap above 6', () => {
    expect(problemsOf(variant({ 'threads.hard_cap': 7 }))).toEqual([
      { field: 'threads.hard_cap', reason: 'must be at most 6 threads (the hard cap of active teammates)' },
    ]);
  });

  it('refuses a negative budget', () => {
    expect(problemsOf(variant({ 'budget.soft_tokens': -1 }))).toEqual([
      { field: 'budget.soft_tokens', reason: 'must not be negative' },
    ]);
  });

  it('refuses a name that does not match the file name', () => {
    expect(problemsOf(variant({ name: 'other' }))).toEqual([
      { field: 'name', reason: 'must match the file name "default", got "other"' },
    ]);
  });

  it('refuses a path in the name, and a file whose name is not a profile name', () => {
    expect(problemsOf(variant({ name: '../default' }))).toEqual([
      { field: 'name', reason: 'must be a plain name, not a path (no "/", "\\" or "..")' },
    ]);
    expect(problemsOf(variant({ name: 'a/b' }))).toEqual([
      { field: 'name', reason: 'must be a plain name, not a path (no "/", "\\" or "..")' },
    ]);
    expect(problemsOf(defaultText, 'My Default.yaml')[0]).toEqual({
      field: 'name',
      reason: 'the file name "My Default" is not a valid profile name: must be lowercase letters, digits or "-", starting with a letter',
    });
  });

  it('takes the expected name from the base name of a path on either platform', () => {
    expect(parseProfile(defaultText, '/etc/codex-team/profiles/default.yml').name).toBe('default');
    expect(parseProfile(defaultText, 'C:\\profiles\\default.yaml').name).toBe('default');
  });

  it('refuses a missing field as required', () => {
    expect(problemsOf(variant({ 'lease.max_attempts': undefined }))).toEqual([
      { field: 'lease.max_attempts', reason: 'is required' },
    ]);
  });

  it('checks fields against each other', () => {
    expect(problemsOf(variant({ 'budget.hard_tokens': 7_999_999 }))).toEqual([
      { field: 'budget.hard_tokens', reason: 'must be at least budget.soft_tokens' },
    ]);
    expect(problemsOf(variant({ 'lease.renew_every_ms': 60_000 }))).toEqual([
      { field: 'lease.renew_every_ms', reason: 'must be less than lease.length_ms' },
    ]);
    expect(
      problemsOf(
        variant({ threads: { default: 6, hard_cap: 4 }, 'fanout.max': 4 }),
      ),
    ).toEqual([{ field: 'threads.default', reason: 'must not exceed threads.hard_cap' }]);
    expect(
      problemsOf(
        variant({ threads: { default: 2, hard_cap: 3 }, 'fanout.max': 4 }),
      ),
    ).toEqual([{ field: 'fanout.max', reason: 'must not exceed threads.hard_cap' }]);
    expect(problemsOf(variant({ 'quality.high.required_reviews': 0 }))).toEqual([
      {
        field: 'quality.high.required_reviews',
        reason: 'must be at least quality.medium.required_reviews (a riskier tier never needs fewer reviews)',
      },
    ]);
  });

  it('refuses a message body limit above the contract limit and a lease under ten seconds', () => {
    expect(problemsOf(variant({ 'messages.body_max_bytes': 16_385 }))).toEqual([
      { field: 'messages.body_max_bytes', reason: 'must be at most 16384 bytes (the contract limit)' },
    ]);
    expect(problemsOf(variant({ lease: { length_ms: 5000, renew_every_ms: 1000, max_attempts: 3 } }))).toEqual([
      { field: 'lease.length_ms', reason: 'must be at least 10000 ms' },
    ]);
  });

  it('lists every problem of a file at once, and names them in the message', () => {
    const error = refusal(
      variant({ 'threads.hard_cap': 9, 'budget.hard_tokens': -5, colour: 'blue' }),
    );
    expect((error.details as { problems: ProfileProblem[] }).problems).toEqual(
      expect.arrayContaining([
        { field: 'threads.hard_cap', reason: 'must be at most 6 threads (the hard cap of active teammates)' },
        { field: 'budget.hard_tokens', reason: 'must not be negative' },
        { field: 'budget.hard_tokens', reason: 'must be at least budget.soft_tokens' },
        { field: 'colour', reason: 'is not a known key' },
      ]),
    );
    expect(error.message).toContain('profile default.yaml is invalid: ');
    expect(error.message).toContain('threads.hard_cap: must be at most 6');
    expect(error.details).toMatchObject({ source: 'default.yaml' });
  });

  it('refuses broken YAML, duplicate keys and documents that are not mappings', () => {
    expect(problemsOf('name: default\nthreads: [1, 2')[0]?.reason).toMatch(/^is not valid YAML: /);
    expect(problemsOf('name: default\nname: default\n')[0]?.reason).toMatch(/^is not valid YAML: .*unique/i);
    expect(problemsOf('- 1\n- 2\n')).toEqual([{ field: '(file)', reason: 'must be a mapping of profile fields, got a list' }]);
    expect(problemsOf('')).toEqual([{ field: '(file)', reason: 'must be a mapping of profile fields, got null' }]);
  });
});
