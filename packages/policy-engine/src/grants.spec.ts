import { stringify } from 'yaml';
import { checkGrant } from './grants';
import { parsePermissionPolicy } from './parse-permissions';

const policy = parsePermissionPolicy(
  stringify({
    profiles: {
      lead: { description: 'all', allow: ['*'] },
      planner: { description: 'p', allow: ['team_status', 'team_task_create', 'team_task_next:own_role'] },
      reader: { description: 'r', allow: ['team_status'] },
      builder: { description: 'b', allow: ['team_status', 'team_task_next'] },
      boss: { description: 'x', allow: ['team_status', 'team_spawn'] },
    },
    roles: { lead: 'lead', planner: 'planner', '*': 'reader' },
  }),
  'grants.yaml',
);

describe('checkGrant', () => {
  it('lets the lead grant a teammate a narrower or a wider profile than its role has', () => {
    expect(checkGrant(policy, 'lead', 'reader')).toMatchObject({ decision: 'allow', rule: 'grant:within-granter', code: null });
    expect(checkGrant(policy, 'lead', 'builder')).toMatchObject({ decision: 'allow' });
  });

  it('refuses a grant wider than the granter, listing what exceeds it', () => {
    expect(checkGrant(policy, 'planner', 'builder')).toEqual({
      decision: 'deny',
      rule: 'grant:exceeds-granter',
      reason: expect.stringContaining('team_task_next:unassigned') as string,
      code: 'DENIED',
      exceeding: ['team_task_next:unassigned'],
    });
    expect(checkGrant(policy, null, 'reader')).toMatchObject({ decision: 'deny', rule: 'grant:exceeds-granter' });
  });

  it('refuses to grant a profile holding lead-only tools, even by the lead', () => {
    expect(checkGrant(policy, 'lead', 'boss')).toMatchObject({
      decision: 'deny',
      rule: 'grant:lead-reserved',
      code: 'DENIED',
      exceeding: ['team_spawn:spawn', 'team_spawn:grant', 'team_spawn:restart'],
    });
  });

  it('answers an unknown profile as bad input', () => {
    expect(checkGrant(policy, 'lead', 'nobody')).toMatchObject({ decision: 'deny', rule: 'grant:unknown-profile', code: 'INVALID_INPUT' });
  });
});
