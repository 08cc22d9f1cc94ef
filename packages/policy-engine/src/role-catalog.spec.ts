import { LEAD_ROLE, RoleSchema } from '@codex-team/contracts';
import { DEFAULT_WORK_ROLE, KNOWN_ROLES, ROLE_CATALOG, describeRole, isKnownRole } from './role-catalog';

describe('role catalog', () => {
  it('describes the six known roles, each a valid role name with a purpose', () => {
    expect(Object.keys(ROLE_CATALOG).sort()).toEqual([...KNOWN_ROLES].sort());
    expect(KNOWN_ROLES).toEqual(['lead', 'planner', 'implementer', 'reviewer', 'tester', 'researcher']);
    for (const role of KNOWN_ROLES) {
      expect(RoleSchema.safeParse(role).success).toBe(true);
      expect(ROLE_CATALOG[role].purpose.length).toBeGreaterThan(20);
    }
  });

  it('has only implementers take implementation work, and never spawns the lead', () => {
    const workers = KNOWN_ROLES.filter((r) => ROLE_CATALOG[r].claims_implementation_work);
    expect(workers).toEqual([DEFAULT_WORK_ROLE]);
    expect(ROLE_CATALOG[LEAD_ROLE as 'lead'].spawnable).toBe(false);
    expect(KNOWN_ROLES.filter((r) => !ROLE_CATALOG[r].spawnable)).toEqual(['lead']);
  });

  it('treats an unknown role as a custom worker role', () => {
    expect(isKnownRole('designer')).toBe(false);
    expect(describeRole('designer')).toEqual({
      purpose: 'Custom role "designer": does the tasks that require it.',
      claims_implementation_work: true,
      spawnable: true,
    });
    expect(describeRole('reviewer')).toBe(ROLE_CATALOG.reviewer);
  });
});
