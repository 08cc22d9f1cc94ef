import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEAM_SCOPED_TOOLS, TOOL_NAMES } from '@codex-team/contracts';
import { matrixColumns, renderHierarchyReference } from './render-hierarchy';
import { TREE_ACCESS, treeAccess } from './tree-access';

const docsPath = join(__dirname, '../../../docs/hierarchy.md');

describe('docs/hierarchy.md', () => {
  it('is exactly what TREE_ACCESS renders (run `npm run generate` after changing the table)', () => {
    expect(readFileSync(docsPath, 'utf8')).toBe(renderHierarchyReference());
  });

  it('has a cell for every relation other than self, as lead and teammate, for every tool with a team argument', () => {
    const doc = renderHierarchyReference();
    expect(matrixColumns()).toHaveLength((TREE_ACCESS.length - 1) * 2);
    for (const tool of TEAM_SCOPED_TOOLS) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${tool}\` |`));
      expect(row?.split('|').length).toBe(matrixColumns().length + 3);
      for (const column of matrixColumns()) {
        const access = treeAccess(column.relation, column.standing, tool);
        if (access !== null && access !== 'own') expect(row).toContain(access);
      }
    }
    for (const tool of TOOL_NAMES.filter((name) => !TEAM_SCOPED_TOOLS.includes(name))) expect(doc).toContain(`\`${tool}\``);
  });
});
