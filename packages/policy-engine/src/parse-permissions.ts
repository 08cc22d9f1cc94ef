import {
  LEAD_ROLE,
  PermissionPolicyFileSchema,
  type PermissionPolicyFile,
  type ToolName,
} from '@codex-team/contracts';
import type { ProfileProblem } from './parse-profile';
import { TOOL_ACTIONS } from './permission-actions';
import {
  PERMISSION_KEYS,
  PermissionPolicy,
  patternMatches,
  ruleId,
  type PermissionRule,
  type ResolvedProfile,
  type RuleEffect,
} from './permission-policy';
import { isLeadOnly } from './team-rules';
import { readYamlFile, refuseFile, type YamlFileKind } from './yaml-file';

/** A permissions file is a page or two; anything much larger is a mistake. */
const PERMISSIONS_MAX_CHARS = 128 * 1024;


/** The reason a pattern names no tool or action of the table, or null when it is fine. */
function patternProblem(pattern: string): string | null {
  if (pattern === '*') return null;
  const [tool, action] = pattern.split(':') as [string, string | undefined];
  if (!(tool in TOOL_ACTIONS)) return `names an unknown tool "${tool}"`;
  const entry = TOOL_ACTIONS[tool as ToolName];
  if (entry.gate === 'session') {
    return `names ${tool}, which the session decides (only an unbound session may start, join or resume), not permissions`;
  }
  if (action !== undefined && !(action in entry.actions)) {
    return `names an unknown action "${action}" of ${tool} (its actions: ${Object.keys(entry.actions).join(', ')})`;
  }
  return null;
}

/** The tool:action pairs a pattern covers. */
function expand(pattern: string): string[] {
  return PERMISSION_KEYS.filter(({ tool, action }) => patternMatches(pattern, tool, action)).map(
    ({ tool, action }) => `${tool}:${action}`,
  );
}

function checkRules(file: PermissionPolicyFile, problems: ProfileProblem[]): void {
  for (const [name, profile] of Object.entries(file.profiles)) {
    for (const effect of ['allow', 'deny'] as const) {
      const seen = new Map<string, number>();
      profile[effect].forEach((pattern, index) => {
        const field = `profiles.${name}.${effect}[${index}]`;
        const problem = patternProblem(pattern);
        if (problem !== null) problems.push({ field, reason: problem });
        const earlier = seen.get(pattern);
        if (earlier !== undefined) problems.push({ field, reason: `repeats ${effect}[${earlier}] "${pattern}"` });
        else seen.set(pattern, index);
      });
    }
  }
}

/** Each profile's inheritance order (itself first), or problems for unknown names and cycles. */
function lineages(file: PermissionPolicyFile, problems: ProfileProblem[]): Map<string, string[]> | null {
  const names = new Set(Object.keys(file.profiles));
  let ok = true;
  for (const [name, profile] of Object.entries(file.profiles)) {
    profile.extends.forEach((parent, index) => {
      if (!names.has(parent)) {
        problems.push({ field: `profiles.${name}.extends[${index}]`, reason: `names an unknown profile "${parent}"` });
        ok = false;
      }
    });
  }
  if (!ok) return null;
  const result = new Map<string, string[]>();
  for (const name of names) {
    const order: string[] = [];
    const visit = (current: string, path: string[]): boolean => {
      if (path.includes(current)) {
        problems.push({ field: `profiles.${name}.extends`, reason: `forms a cycle: ${[...path, current].join(' -> ')}` });
        return false;
      }
      if (!order.includes(current)) order.push(current);
      return (file.profiles[current]?.extends ?? []).every((parent) => visit(parent, [...path, current]));
    };
    if (!visit(name, [])) return null;
    result.set(name, order);
  }
  return result;
}

function resolveProfiles(file: PermissionPolicyFile, lines: Map<string, string[]>): Map<string, ResolvedProfile> {
  const resolved = new Map<string, ResolvedProfile>();
  for (const name of Object.keys(file.profiles).sort()) {
    const rules: PermissionRule[] = [];
    for (const source of lines.get(name) ?? []) {
      const profile = file.profiles[source];
      if (profile === undefined) continue;
      for (const effect of ['allow', 'deny'] as RuleEffect[]) {
        for (const pattern of profile[effect]) rules.push({ profile: source, effect, pattern, id: ruleId(source, effect, pattern) });
      }
    }
    const unique = [...new Map(rules.map((rule) => [rule.id, rule])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    resolved.set(name, {
      name,
      description: file.profiles[name]?.description ?? '',
      extends: file.profiles[name]?.extends ?? [],
      rules: unique,
    });
  }
  return resolved;
}

/**
 * An allow that a deny (its profile's own or an inherited one) fully covers can never apply: deny
 * always beats allow. Such a pair contradicts itself and cannot be ordered, so it is refused
 * rather than silently ignored. A deny narrowing part of an allow is fine: that is what deny is for.
 */
function checkContradictions(file: PermissionPolicyFile, profiles: Map<string, ResolvedProfile>, problems: ProfileProblem[]): void {
  for (const [name, profile] of Object.entries(file.profiles)) {
    const denies = (profiles.get(name)?.rules ?? []).filter((rule) => rule.effect === 'deny');
    profile.allow.forEach((pattern, index) => {
      const covered = expand(pattern);
      if (covered.length === 0) return;
      const blocking = denies.filter((deny) => covered.some((key) => patternMatches(deny.pattern, ...splitKey(key))));
      const allDenied = covered.every((key) => blocking.some((deny) => patternMatches(deny.pattern, ...splitKey(key))));
      if (allDenied) {
        problems.push({
          field: `profiles.${name}.allow[${index}]`,
          reason:
            `"${pattern}" is entirely overridden by ${blocking.map((deny) => deny.id).join(', ')} ` +
            '(a deny beats any allow), so it can never apply; remove one of them',
        });
      }
    });
  }
}

function splitKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}

function checkRoles(file: PermissionPolicyFile, policy: PermissionPolicy, problems: ProfileProblem[]): void {
  for (const [role, profile] of Object.entries(file.roles)) {
    if (!policy.profiles.has(profile)) {
      problems.push({
        field: `roles.${role}`,
        reason: `names a missing profile "${profile}" (profiles: ${[...policy.profiles.keys()].join(', ')})`,
      });
      continue;
    }
    if (role === LEAD_ROLE) continue;
    const reserved = reservedAllows(policy, profile);
    if (reserved.length > 0) {
      problems.push({
        field: `roles.${role}`,
        reason: `profile ${profile} allows ${reserved.join(', ')}, which only the lead may call`,
      });
    }
  }
  if (file.roles[LEAD_ROLE] === undefined) {
    problems.push({ field: `roles.${LEAD_ROLE}`, reason: 'is required: the lead needs a profile' });
  }
}

/**
 * The lead-only tool:action pairs a profile allows (it may then only be the lead's): the catalog's
 * lead tools and lead-only actions, by the one lead-only rule (isLeadOnly).
 */
export function reservedAllows(policy: PermissionPolicy, profile: string): string[] {
  return [...policy.allowMap(profile).values()]
    .filter((d) => d.decision === 'allow' && isLeadOnly(d.tool as ToolName, d.action))
    .map((d) => `${d.tool}:${d.action}`);
}

const PERMISSIONS_FILE: YamlFileKind<PermissionPolicyFile> = {
  describe: (source) => `permissions ${source} are`,
  fields: 'permissions fields',
  maxChars: PERMISSIONS_MAX_CHARS,
  schema: PermissionPolicyFileSchema,
};

/**
 * Parses and validates a permissions file and resolves it. Pure: `text` is the file content,
 * `source` names it in messages. Refuses unknown tools and actions, unknown or cyclic `extends`,
 * roles bound to missing profiles, allows that a deny makes dead, lead-only tools allowed to another
 * role, and a missing `lead` binding.
 * Throws TeamError `INVALID_INPUT` whose `details.problems` lists every `{field, reason}` found.
 */
export function parsePermissionPolicy(text: string, source: string): PermissionPolicy {
  const file = readYamlFile(text, source, PERMISSIONS_FILE);
  const problems: ProfileProblem[] = [];
  checkRules(file, problems);
  const lines = lineages(file, problems);
  if (problems.length > 0 || lines === null) throw refuseFile(PERMISSIONS_FILE, source, problems);
  const profiles = resolveProfiles(file, lines);
  checkContradictions(file, profiles, problems);
  const roles = new Map(Object.entries(file.roles).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const policy = new PermissionPolicy(profiles, roles);
  checkRoles(file, policy, problems);
  if (problems.length > 0) throw refuseFile(PERMISSIONS_FILE, source, problems);
  return policy;
}
