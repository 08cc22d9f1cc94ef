import { TEAM_SCOPED_TOOLS, TOOL_NAMES } from '@codex-team/contracts';
import { relationOf } from './relation';
import { NOT_IN_TREE_RULE, TREE_ACCESS, notInTreeRefusal, scopeRuling, treeAccess } from './tree-access';

describe('relationOf', () => {
  // root <- a <- (aa, ab), root <- b <- bb; other is another tree.
  const lineage = {
    root: ['root'],
    a: ['a', 'root'],
    aa: ['aa', 'a', 'root'],
    ab: ['ab', 'a', 'root'],
    b: ['b', 'root'],
    bb: ['bb', 'b', 'root'],
    other: ['other'],
  };

  it('names how the caller team stands to the target', () => {
    expect(relationOf(lineage.a, lineage.a)).toBe('self');
    expect(relationOf(lineage.root, lineage.aa)).toBe('parent');
    expect(relationOf(lineage.a, lineage.aa)).toBe('parent');
    expect(relationOf(lineage.aa, lineage.root)).toBe('child');
    expect(relationOf(lineage.a, lineage.b)).toBe('sibling');
    expect(relationOf(lineage.aa, lineage.ab)).toBe('sibling');
    expect(relationOf(lineage.aa, lineage.bb)).toBe('cousin');
    expect(relationOf(lineage.a, lineage.bb)).toBe('cousin');
    expect(relationOf(lineage.bb, lineage.a)).toBe('cousin');
    expect(relationOf(lineage.a, lineage.other)).toBe('unrelated');
    expect(relationOf(lineage.root, lineage.other)).toBe('unrelated');
  });
});

describe('TREE_ACCESS', () => {
  it('names only tools that take a team argument, and gives self every tool', () => {
    for (const row of TREE_ACCESS) {
      for (const map of [row.lead, row.member]) {
        if (map === 'own') {
          expect(row.relation).toBe('self');
          continue;
        }
        for (const tool of Object.keys(map)) expect(TEAM_SCOPED_TOOLS).toContain(tool);
      }
    }
    for (const tool of TOOL_NAMES) expect(treeAccess('self', 'member', tool)).toBe('own');
  });

  it('lets hidden relations do nothing, and never lets a teammate steer', () => {
    for (const row of TREE_ACCESS.filter((candidate) => !candidate.visible)) expect([row.lead, row.member]).toEqual([{}, {}]);
    for (const row of TREE_ACCESS) {
      if (row.member === 'own') continue;
      expect(Object.values(row.member)).not.toContain('steer');
    }
  });
});

describe('scopeRuling', () => {
  it('refuses a hidden team exactly as a team that does not exist', () => {
    const hidden = scopeRuling({ tool: 'team_status', relation: 'sibling', standing: 'lead', targetId: 'tm_x' });
    const missing = notInTreeRefusal('tm_x');
    expect(hidden).toMatchObject({ decision: 'deny', code: 'NOT_FOUND', rule: NOT_IN_TREE_RULE, message: missing.message, details: missing.details });
  });

  it('denies what a visible relation may not do, naming the relation and standing', () => {
    expect(scopeRuling({ tool: 'team_status', relation: 'child', standing: 'lead', targetId: 'tm_p' })).toMatchObject({
      decision: 'deny',
      code: 'DENIED',
      rule: 'hierarchy:child.lead',
    });
    expect(scopeRuling({ tool: 'team_spawn', relation: 'parent', standing: 'member', targetId: 'tm_c' })).toMatchObject({ code: 'DENIED', rule: 'hierarchy:parent.member' });
  });

  it("allows what the table allows, with the access the operation applies", () => {
    expect(scopeRuling({ tool: 'team_spawn', relation: 'parent', standing: 'lead', targetId: 'tm_c' })).toMatchObject({ decision: 'allow', access: 'steer' });
    expect(scopeRuling({ tool: 'team_task_list', relation: 'child', standing: 'member', targetId: 'tm_p' })).toMatchObject({ decision: 'allow', access: 'delegated' });
    expect(scopeRuling({ tool: 'team_send', relation: 'child', standing: 'lead', targetId: 'tm_p' })).toMatchObject({ decision: 'allow', access: 'to-lead' });
  });
});
