import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { findBuiltinPermissionsFile } from './load-permissions';
import { parsePermissionPolicy } from './parse-permissions';
import { PERMISSION_KEYS, type PermissionPolicy } from './permission-policy';

const shippedText = readFileSync(findBuiltinPermissionsFile(__dirname), 'utf8');
const shipped = parsePermissionPolicy(shippedText, 'default.yaml');

function policyOf(file: unknown): PermissionPolicy {
  return parsePermissionPolicy(stringify(file), 'test.yaml');
}

const roles = { lead: 'lead', '*': 'worker' };
const lead = { description: 'everything', allow: ['*'] };

/** Every profile's allow/deny map as plain data, for comparing two policies. */
function maps(policy: PermissionPolicy): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of policy.profiles.keys()) out[name] = Object.fromEntries(policy.allowMap(name));
  return out;
}

describe('PermissionPolicy', () => {
  it('denies what no rule allows, naming the implicit default-deny rule', () => {
    const policy = policyOf({ profiles: { lead, worker: { description: 'w', allow: ['team_status'] } }, roles });
    expect(policy.decide('worker', 'team_status', 'read')).toMatchObject({ decision: 'allow', rule: 'worker.allow(team_status)' });
    expect(policy.decide('worker', 'team_send', 'direct')).toMatchObject({ decision: 'deny', rule: 'default-deny', matched: [] });
  });

  it('lets a deny beat any allow, an inherited one included, and reports every rule that matched', () => {
    const policy = policyOf({
      profiles: {
        lead,
        base: { description: 'b', allow: ['team_send', 'team_task_next'] },
        worker: { description: 'w', extends: ['base'], allow: ['team_task_next:unassigned'], deny: ['team_send:broadcast'] },
      },
      roles,
    });
    expect(policy.decide('worker', 'team_send', 'broadcast')).toMatchObject({
      decision: 'deny',
      rule: 'worker.deny(team_send:broadcast)',
      matched: ['base.allow(team_send)', 'worker.deny(team_send:broadcast)'],
    });
    expect(policy.decide('worker', 'team_send', 'direct')).toMatchObject({ decision: 'allow', rule: 'base.allow(team_send)' });
    // The most specific allow decides; both are listed.
    expect(policy.decide('worker', 'team_task_next', 'unassigned')).toMatchObject({
      decision: 'allow',
      rule: 'worker.allow(team_task_next:unassigned)',
      matched: ['base.allow(team_task_next)', 'worker.allow(team_task_next:unassigned)'],
    });
  });

  it('denies everything to an agent without a profile', () => {
    expect(shipped.decide(null, 'team_status', 'read')).toMatchObject({ decision: 'deny', rule: 'no-profile' });
    expect(shipped.decide('vanished', 'team_status', 'read')).toMatchObject({ decision: 'deny', rule: 'no-profile' });
  });

  it('binds known roles to their profile, other roles to "*", and never gives the lead the "*" profile', () => {
    expect(shipped.profileForRole('reviewer')).toBe('reviewer');
    expect(shipped.profileForRole('builder')).toBe('implementer');
    const noLead = policyOf({ profiles: { lead, worker: { description: 'w' } }, roles: { lead: 'lead', '*': 'worker' } });
    expect(noLead.profileForRole('lead')).toBe('lead');
  });

  it('allows a claim when any kind of task it may take is allowed, and says which', () => {
    expect(shipped.decideCall('reviewer', 'team_task_next', ['own_role', 'unassigned'])).toMatchObject({
      decision: 'allow',
      action: 'own_role',
      allowed: ['own_role'],
    });
    expect(shipped.decideCall('implementer', 'team_task_next', ['own_role', 'unassigned'])).toMatchObject({
      decision: 'allow',
      action: 'own_role+unassigned',
      allowed: ['own_role', 'unassigned'],
    });
    expect(shipped.decideCall('observer', 'team_task_next', ['own_role', 'unassigned'])).toMatchObject({
      decision: 'deny',
      action: 'own_role+unassigned',
      rule: 'default-deny',
      allowed: [],
    });
  });

  it('resolves to the same allow/deny maps whatever the order of rules, profiles and roles', () => {
    const file = parse(shippedText) as {
      profiles: Record<string, { allow?: string[]; deny?: string[]; extends?: string[] }>;
      roles: Record<string, string>;
    };
    const expected = maps(shipped);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = (n: number, salt: number): number => Math.abs(Math.imul(seed ^ salt, 2654435761) + salt) % n;
        const shuffle = <T>(items: readonly T[], salt: number): T[] => {
          const copy = [...items];
          for (let i = copy.length - 1; i > 0; i -= 1) {
            const j = random(i + 1, salt + i);
            [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
          }
          return copy;
        };
        const profiles = Object.fromEntries(
          shuffle(Object.entries(file.profiles), 1).map(([name, profile], index) => [
            name,
            { ...profile, allow: shuffle(profile.allow ?? [], 10 + index), deny: shuffle(profile.deny ?? [], 100 + index) },
          ]),
        );
        const shuffledRoles = Object.fromEntries(shuffle(Object.entries(file.roles), 2));
        expect(maps(policyOf({ profiles, roles: shuffledRoles }))).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('has an allow/deny map over every permission-gated tool and action for every profile', () => {
    for (const name of shipped.profiles.keys()) {
      expect([...shipped.allowMap(name).keys()]).toEqual(PERMISSION_KEYS.map(({ tool, action }) => `${tool}:${action}`));
    }
  });
});
