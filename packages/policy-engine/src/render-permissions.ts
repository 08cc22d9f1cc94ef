import { LEAD_ROLE, TOOL_NAMES, type ToolName } from '@codex-team/contracts';
import { TOOL_ACTIONS } from './permission-actions';
import type { PermissionPolicy } from './permission-policy';
import { KNOWN_ROLES } from './role-catalog';

/** One column of the permission table: a role (or `*`, every other role) or a grant-only profile. */
export interface PermissionColumn {
  label: string;
  /** The role of the column; null for a profile only reachable by a grant. */
  role: string | null;
  profile: string | null;
}

/**
 * The columns of the table: the lead, the catalog roles in catalog order, other roles the policy
 * names, every other role (`*`), then profiles no role is bound to (they are reached by grants).
 */
export function permissionColumns(policy: PermissionPolicy): PermissionColumn[] {
  const known = KNOWN_ROLES as readonly string[];
  const named = [...policy.roles.keys()].filter((role) => role !== '*' && !known.includes(role)).sort();
  const roles = [...known, ...named];
  const columns: PermissionColumn[] = roles.map((role) => ({ label: role, role, profile: policy.profileForRole(role) }));
  if (policy.roles.has('*')) columns.push({ label: 'other roles', role: '*', profile: policy.roles.get('*') ?? null });
  const bound = new Set(policy.roles.values());
  for (const name of policy.profiles.keys()) {
    if (!bound.has(name)) columns.push({ label: `grant: ${name}`, role: null, profile: name });
  }
  return columns;
}

/**
 * Who may call `tool` under this policy, in a few words for its description: "Any agent.", "Lead
 * only." or the roles, lead first ("Lead, planner, reviewer, tester."). A role counts when its
 * profile allows at least one action of the tool.
 */
export function whoMayCall(policy: PermissionPolicy, tool: ToolName): string {
  const actions = Object.keys(TOOL_ACTIONS[tool].actions);
  const roleColumns = permissionColumns(policy).filter((column) => column.role !== null);
  const allowed = roleColumns.filter((column) =>
    actions.some((action) => policy.decide(column.profile, tool, action).decision === 'allow'),
  );
  if (allowed.length === roleColumns.length) return 'Any agent.';
  if (allowed.length === 1 && allowed[0]?.role === LEAD_ROLE) return 'Lead only.';
  const text = allowed.map((column) => column.label).join(', ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** `docs/permissions.md`: the role x tool x action table and the profiles, generated from the policy. */
export function renderPermissionTable(policy: PermissionPolicy, source = 'profiles/permissions/default.yaml'): string {
  const columns = permissionColumns(policy);
  const lines = [
    '# Permissions',
    '',
    `<!-- Generated from ${source} by \`npm run generate\`; do not edit by hand. -->`,
    '',
    'The server checks every tool call in one authorization step: identity (the bound session, never',
    'arguments), then scope (the caller\'s team), then permission (the profile below). A refused call',
    'is answered `DENIED` with the rule and the reason, changes nothing, and is recorded in the',
    'decision log like every other call. A deny always beats an allow, rule order never matters, and',
    'what no rule allows is denied. Claims are checked per task: `own_role` tasks name the caller\'s',
    'role, `unassigned` tasks name no role. Holder-only writes (progress, complete, release) and edits',
    '(creator or lead) are also checked against the task itself.',
    '',
    'Before `team_join` a session may only call ' +
      TOOL_NAMES.filter((tool) => TOOL_ACTIONS[tool].gate === 'session')
        .map((tool) => `\`${tool}\``)
        .join(', ') +
      '; once bound, never those again.',
    '',
    '## Who may do what',
    '',
    `| tool | action | what it does | ${columns.map((column) => cell(column.label)).join(' | ')} |`,
    `|---|---|---|${columns.map(() => '---').join('|')}|`,
  ];
  for (const tool of TOOL_NAMES) {
    const entry = TOOL_ACTIONS[tool];
    if (entry.gate !== 'permission') continue;
    for (const [action, meaning] of Object.entries(entry.actions)) {
      const cells = columns.map((column) => (policy.decide(column.profile, tool, action).decision === 'allow' ? 'yes' : '—'));
      lines.push(`| \`${tool}\` | \`${action}\` | ${cell(meaning)} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', '## Roles', '', '| role | profile |', '|---|---|');
  for (const column of columns) {
    if (column.role === null) continue;
    lines.push(`| ${column.role === '*' ? '`*` (every other role)' : `\`${column.role}\``} | \`${String(column.profile)}\` |`);
  }
  lines.push('', '## Profiles', '', 'Own rules of each profile; inherited ones come from the profiles it extends.', '');
  for (const profile of policy.profiles.values()) {
    lines.push(`### \`${profile.name}\``, '', cell(profile.description), '');
    if (profile.extends.length > 0) lines.push(`- extends: ${profile.extends.map((name) => `\`${name}\``).join(', ')}`);
    for (const effect of ['allow', 'deny'] as const) {
      const own = profile.rules.filter((rule) => rule.effect === effect && rule.profile === profile.name);
      if (own.length > 0) lines.push(`- ${effect}: ${own.map((rule) => `\`${rule.pattern}\``).join(', ')}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
