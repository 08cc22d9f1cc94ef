import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEAD_ROLE, TOOL_CONTRACTS, TOOL_NAMES } from '@codex-team/contracts';
import { findBuiltinPermissionsFile, loadPermissionPolicy } from './load-permissions';
import { PERMISSION_KEYS } from './permission-policy';
import { permissionColumns, renderPermissionTable, whoMayCall } from './render-permissions';
import { KNOWN_ROLES } from './role-catalog';

const shipped = loadPermissionPolicy(findBuiltinPermissionsFile(__dirname));
const docsPath = join(__dirname, '../../../docs/permissions.md');

/** The cells of docs/permissions.md's main table: `tool:action` -> column label -> allowed. */
function docsTable(): Map<string, Map<string, boolean>> {
  const lines = readFileSync(docsPath, 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('| tool | action |'));
  const labels = (lines[header] ?? '').split('|').slice(4, -1).map((cell) => cell.trim());
  const table = new Map<string, Map<string, boolean>>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('| `')) break;
    const cells = line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, '').trim());
    const key = `${(cells[0] ?? '').replace(/`/g, '')}:${(cells[1] ?? '').replace(/`/g, '')}`;
    table.set(key, new Map(labels.map((label, index) => [label, cells[3 + index] === 'yes'])));
  }
  return table;
}

describe('docs/permissions.md', () => {
  it('equals the table generated from the shipped permissions (run npm run generate when it differs)', () => {
    expect(readFileSync(docsPath, 'utf8')).toBe(renderPermissionTable(shipped));
  });

  it('says, for every role and every tool and action, exactly what the resolver decides', () => {
    const table = docsTable();
    expect([...table.keys()]).toEqual(PERMISSION_KEYS.map(({ tool, action }) => `${tool}:${action}`));
    for (const column of permissionColumns(shipped)) {
      for (const { tool, action } of PERMISSION_KEYS) {
        const documented = table.get(`${tool}:${action}`)?.get(column.label);
        const decided = shipped.decide(column.profile, tool, action).decision === 'allow';
        expect({ column: column.label, tool, action, documented }).toEqual({ column: column.label, tool, action, documented: decided });
      }
    }
  });
});

describe('the shipped permissions', () => {
  const allowed = (role: string, tool: string, action: string): boolean =>
    shipped.decide(shipped.profileForRole(role), tool, action).decision === 'allow';
  const teammates = [...KNOWN_ROLES.filter((role) => role !== LEAD_ROLE), 'builder'];

  it('let the lead call every tool', () => {
    for (const { tool, action } of PERMISSION_KEYS) expect({ tool, action, allowed: allowed(LEAD_ROLE, tool, action) }).toMatchObject({ allowed: true });
  });

  it('never let a teammate spawn, finalize, or call any other lead-only tool', () => {
    const leadOnly = TOOL_NAMES.filter((tool) => TOOL_CONTRACTS[tool].audience === 'lead');
    expect(leadOnly).toEqual(expect.arrayContaining(['team_spawn', 'team_finalize']));
    for (const role of teammates) {
      for (const { tool, action } of PERMISSION_KEYS.filter((key) => leadOnly.includes(key.tool))) {
        expect({ role, tool, action, allowed: allowed(role, tool, action) }).toMatchObject({ allowed: false });
      }
    }
  });

  it('let teammates only report progress on tasks (editing and cancelling stay with the lead and planners)', () => {
    for (const role of teammates) {
      expect(allowed(role, 'team_task_update', 'progress')).toBe(true);
      const planning = role === 'planner';
      expect({ role, edit: allowed(role, 'team_task_update', 'edit') }).toEqual({ role, edit: planning });
      expect({ role, cancel: allowed(role, 'team_task_update', 'status=cancelled') }).toEqual({ role, cancel: planning });
    }
  });

  it('keep reviewers, researchers and planners off implementation work, and let implementers, testers and custom roles take it', () => {
    for (const tool of ['team_task_next']) {
      for (const role of ['reviewer', 'researcher', 'planner']) expect({ role, tool, unassigned: allowed(role, tool, 'unassigned') }).toMatchObject({ unassigned: false });
      for (const role of ['implementer', 'tester', 'builder']) expect({ role, tool, unassigned: allowed(role, tool, 'unassigned') }).toMatchObject({ unassigned: true });
      for (const role of teammates) expect(allowed(role, tool, 'own_role')).toBe(true);
    }
  });

  it('are what every tool description says about who may call it: "Lead:" opens exactly the lead-only ones', () => {
    // Descriptions ride on every model turn, so they are a few words; who may call is the one fact
    // a model must not guess: a lead-only tool says so first, and no other tool claims it.
    for (const tool of TOOL_NAMES.filter((name) => TOOL_CONTRACTS[name].audience !== 'unbound')) {
      const leadOnly = whoMayCall(shipped, tool) === 'Lead only.';
      expect({ tool, saysLead: TOOL_CONTRACTS[tool].description.startsWith('Lead:') }).toEqual({ tool, saysLead: leadOnly });
    }
  });
});
