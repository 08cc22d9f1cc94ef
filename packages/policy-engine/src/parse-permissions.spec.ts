import { readFileSync } from 'node:fs';
import { isTeamError, type TeamError } from '@codex-team/contracts';
import { stringify } from 'yaml';
import { findBuiltinPermissionsFile } from './load-permissions';
import { parsePermissionPolicy } from './parse-permissions';
import type { ProfileProblem } from './parse-profile';

const shippedText = readFileSync(findBuiltinPermissionsFile(__dirname), 'utf8');

/** A small valid file, as an object a test may change before it is written as YAML. */
function base(): { profiles: Record<string, Record<string, unknown>>; roles: Record<string, string> } {
  return {
    profiles: {
      lead: { description: 'everything', allow: ['*'] },
      worker: { description: 'works', allow: ['team_status', 'team_task_next', 'team_task_complete'] },
    },
    roles: { lead: 'lead', '*': 'worker' },
  };
}

function refusal(text: string): TeamError {
  try {
    parsePermissionPolicy(text, 'test.yaml');
  } catch (error) {
    if (isTeamError(error)) return error;
    throw error;
  }
  throw new Error('expected the permissions to be refused');
}

function problemsOf(file: unknown): ProfileProblem[] {
  const error = refusal(typeof file === 'string' ? file : stringify(file));
  expect(error.code).toBe('INVALID_INPUT');
  return (error.details as { problems: ProfileProblem[] }).problems;
}

describe('parsePermissionPolicy', () => {
  it('accepts the shipped file and a minimal one', () => {
    const shipped = parsePermissionPolicy(shippedText, 'default.yaml');
    expect([...shipped.roles.keys()]).toEqual(expect.arrayContaining(['lead', 'planner', 'implementer', 'reviewer', 'tester', 'researcher', '*']));
    expect(parsePermissionPolicy(stringify(base()), 'test.yaml').profileForRole('anything')).toBe('worker');
  });

  it('refuses an unknown tool and an unknown action, naming the field and the known actions', () => {
    const file = base();
    file.profiles['worker'] = { description: 'w', allow: ['team_status', 'team_teleport', 'team_send:shout'] };
    expect(problemsOf(file)).toEqual([
      { field: 'profiles.worker.allow[1]', reason: 'names an unknown tool "team_teleport"' },
      { field: 'profiles.worker.allow[2]', reason: 'names an unknown action "shout" of team_send (its actions: direct, broadcast)' },
    ]);
  });

  it('refuses rules over team_start, team_join and team_resume, which the session decides', () => {
    const file = base();
    file.profiles['worker'] = { description: 'w', deny: ['team_join'] };
    expect(problemsOf(file)).toEqual([{ field: 'profiles.worker.deny[0]', reason: expect.stringContaining('which the session decides') as string }]);
  });

  it('refuses a role bound to a missing profile', () => {
    const file = base();
    file.roles['reviewer'] = 'revewer';
    expect(problemsOf(file)).toEqual([{ field: 'roles.reviewer', reason: 'names a missing profile "revewer" (profiles: lead, worker)' }]);
  });

  it('refuses a file without a lead binding', () => {
    const file = base();
    delete file.roles['lead'];
    expect(problemsOf(file)).toEqual([{ field: 'roles.lead', reason: 'is required: the lead needs a profile' }]);
  });

  it('refuses an allow that a deny fully overrides: in the same profile and through inheritance', () => {
    const same = base();
    same.profiles['worker'] = { description: 'w', allow: ['team_send:broadcast', 'team_status'], deny: ['team_send'] };
    expect(problemsOf(same)).toEqual([
      {
        field: 'profiles.worker.allow[0]',
        reason: '"team_send:broadcast" is entirely overridden by worker.deny(team_send) (a deny beats any allow), so it can never apply; remove one of them',
      },
    ]);
    const inherited = base();
    inherited.profiles['strict'] = { description: 's', allow: ['team_status'], deny: ['team_task_next:unassigned'] };
    inherited.profiles['loose'] = { description: 'l', extends: ['strict'], allow: ['team_task_next:unassigned'] };
    expect(problemsOf(inherited)).toEqual([
      { field: 'profiles.loose.allow[0]', reason: expect.stringContaining('overridden by strict.deny(team_task_next:unassigned)') as string },
    ]);
  });

  it('accepts a deny that narrows part of an allow, which is what deny is for', () => {
    const file = base();
    file.profiles['worker'] = { description: 'w', allow: ['team_task_next'], deny: ['team_task_next:unassigned'] };
    const policy = parsePermissionPolicy(stringify(file), 'test.yaml');
    expect(policy.decide('worker', 'team_task_next', 'own_role').decision).toBe('allow');
    expect(policy.decide('worker', 'team_task_next', 'unassigned').decision).toBe('deny');
  });

  it('refuses lead-only tools in a profile bound to another role', () => {
    const file = base();
    file.profiles['worker'] = { description: 'w', allow: ['team_status', 'team_finalize:force'] };
    expect(problemsOf(file)).toEqual([
      { field: 'roles.*', reason: 'profile worker allows team_finalize:force, which only the lead may call' },
    ]);
  });

  it('refuses unknown and cyclic extends', () => {
    const unknown = base();
    unknown.profiles['worker'] = { description: 'w', extends: ['nobody'] };
    expect(problemsOf(unknown)).toEqual([{ field: 'profiles.worker.extends[0]', reason: 'names an unknown profile "nobody"' }]);
    const cycle = base();
    cycle.profiles['a'] = { description: 'a', extends: ['b'] };
    cycle.profiles['b'] = { description: 'b', extends: ['a'] };
    expect(problemsOf(cycle)[0]).toEqual({ field: 'profiles.a.extends', reason: 'forms a cycle: a -> b -> a' });
  });

  it('refuses repeated rules, rule syntax, unknown keys, missing fields and bad YAML with their fields', () => {
    const repeated = base();
    repeated.profiles['worker'] = { description: 'w', allow: ['team_status', 'team_status'] };
    expect(problemsOf(repeated)).toEqual([{ field: 'profiles.worker.allow[1]', reason: 'repeats allow[0] "team_status"' }]);
    const syntax = base();
    syntax.profiles['worker'] = { description: 'w', allow: ['team_status:read:more', 'Team_Status'] };
    expect(problemsOf(syntax).map((p) => p.field)).toEqual(['profiles.worker.allow[0]', 'profiles.worker.allow[1]']);
    const typo = base();
    typo.profiles['worker'] = { description: 'w', alow: ['team_status'] };
    expect(problemsOf(typo)).toEqual([{ field: 'profiles.worker.alow', reason: 'is not a known key' }]);
    const missing = base();
    missing.profiles['worker'] = { allow: ['team_status'] };
    expect(problemsOf(missing)).toEqual([{ field: 'profiles.worker.description', reason: 'is required' }]);
    expect(problemsOf('profiles: [unclosed')[0]?.reason).toMatch(/^is not valid YAML/);
  });

  it('reports every problem of a file at once', () => {
    const file = base();
    file.profiles['worker'] = { description: 'w', allow: ['team_teleport', 'team_send:shout'] };
    expect(problemsOf(file)).toHaveLength(2);
  });
});
