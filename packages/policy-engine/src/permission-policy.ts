import { LEAD_ROLE, TOOL_NAMES, type ToolName } from '@codex-team/contracts';
import type { PolicyDecision } from './decision';
import { TOOL_ACTIONS } from './permission-actions';

export type RuleEffect = 'allow' | 'deny';

/** One rule of a profile as the resolver sees it, inherited rules included. */
export interface PermissionRule {
  /** The profile whose file entry this is. */
  profile: string;
  effect: RuleEffect;
  /** `*`, `<tool>` or `<tool>:<action>` as written. */
  pattern: string;
  /** Stable name used in decisions and the audit trail, e.g. `reviewer.deny(team_task_next:unassigned)`. */
  id: string;
}

/**
 * A permission answer as data (Cedar style): the decision, the rule that decided it, every rule
 * that matched, and a sentence for the model or the operator.
 */
export interface PermissionDecision extends PolicyDecision {
  tool: string;
  action: string;
  /** The permission profile that was asked; null when the agent has none. */
  profile: string | null;
  /** Ids of every rule that matched, sorted. */
  matched: readonly string[];
}

/** The answer for a call that may ask for several actions (claims): allowed when any is. */
export interface CallPermission extends PermissionDecision {
  /** The asked actions that are allowed, in the order asked. */
  allowed: readonly string[];
  /** The answer for each asked action, in the order asked (a claim's refusal by kind names its rule). */
  decisions: readonly PermissionDecision[];
}

/** The rule id of the implicit last rule: what no rule allows is denied. */
export const DEFAULT_DENY_RULE = 'default-deny';
/** The rule id used when an agent's role has no profile and it was granted none. */
export const NO_PROFILE_RULE = 'no-profile';

export interface ResolvedProfile {
  name: string;
  description: string;
  /** The profiles it names in `extends`, as written. */
  extends: readonly string[];
  /** Own and inherited rules, sorted by id. */
  rules: readonly PermissionRule[];
}

/** Every permission-gated tool and action, in table order: the key space of the allow/deny map. */
export const PERMISSION_KEYS: readonly { tool: ToolName; action: string }[] = TOOL_NAMES.flatMap((tool) =>
  TOOL_ACTIONS[tool].gate === 'permission'
    ? Object.keys(TOOL_ACTIONS[tool].actions).map((action) => ({ tool, action }))
    : [],
);

/** The stable name of a rule in decisions and the audit trail: `profile.effect(pattern)`. */
export function ruleId(profile: string, effect: RuleEffect, pattern: string): string {
  return `${profile}.${effect}(${pattern})`;
}

/** Whether `pattern` covers the tool and action: `*`, the tool, or exactly `tool:action`. */
export function patternMatches(pattern: string, tool: string, action: string): boolean {
  if (pattern === '*') return true;
  const colon = pattern.indexOf(':');
  if (colon === -1) return pattern === tool;
  return pattern.slice(0, colon) === tool && pattern.slice(colon + 1) === action;
}

function specificity(pattern: string): number {
  if (pattern === '*') return 0;
  return pattern.includes(':') ? 2 : 1;
}

/** The deciding rule of a set: the most specific one, ties broken by id, so order never matters. */
function decidingRule(rules: readonly PermissionRule[]): PermissionRule {
  const sorted = [...rules].sort((a, b) => specificity(b.pattern) - specificity(a.pattern) || compare(a.id, b.id));
  const first = sorted[0];
  if (first === undefined) throw new Error('decidingRule needs at least one rule');
  return first;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function evaluate(profile: ResolvedProfile, tool: string, action: string): PermissionDecision {
  const matching = profile.rules.filter((rule) => patternMatches(rule.pattern, tool, action));
  const denies = matching.filter((rule) => rule.effect === 'deny');
  const allows = matching.filter((rule) => rule.effect === 'allow');
  const what = `${tool}:${action}`;
  const base = { tool, action, profile: profile.name };
  if (denies.length > 0) {
    const rule = decidingRule(denies).id;
    return {
      ...base,
      decision: 'deny',
      rule,
      matched: matching.map((r) => r.id).sort(compare),
      reason: `${rule} forbids ${what} for permission profile ${profile.name}; a deny beats any allow`,
    };
  }
  if (allows.length > 0) {
    const rule = decidingRule(allows).id;
    return {
      ...base,
      decision: 'allow',
      rule,
      matched: allows.map((r) => r.id).sort(compare),
      reason: `${rule} allows ${what}`,
    };
  }
  return {
    ...base,
    decision: 'deny',
    rule: DEFAULT_DENY_RULE,
    matched: [],
    reason: `no rule of permission profile ${profile.name} allows ${what}, and what is not allowed is denied`,
  };
}

/**
 * A validated permission policy: named profiles with their inherited rules, the profile of each
 * role, and for every profile a precomputed allow/deny map over every tool and action. Deciding
 * is a map lookup; the maps do not depend on the order rules were written in.
 */
export class PermissionPolicy {
  private readonly maps = new Map<string, ReadonlyMap<string, PermissionDecision>>();

  constructor(
    readonly profiles: ReadonlyMap<string, ResolvedProfile>,
    /** Role -> profile name; `*` is the profile of every role not named. */
    readonly roles: ReadonlyMap<string, string>,
  ) {
    for (const profile of profiles.values()) {
      const map = new Map<string, PermissionDecision>();
      for (const { tool, action } of PERMISSION_KEYS) map.set(`${tool}:${action}`, evaluate(profile, tool, action));
      this.maps.set(profile.name, map);
    }
  }

  /** The profile an agent of `role` gets without a grant: its role's, else the `*` one, else none. */
  profileForRole(role: string): string | null {
    return this.roles.get(role) ?? (role === LEAD_ROLE ? null : (this.roles.get('*') ?? null));
  }

  /** The allow/deny map of a profile keyed `tool:action`; empty for an unknown profile. */
  allowMap(profile: string): ReadonlyMap<string, PermissionDecision> {
    return this.maps.get(profile) ?? new Map();
  }

  /** The decision for one tool and action under `profile` (null: the agent has no profile). */
  decide(profile: string | null, tool: string, action: string): PermissionDecision {
    const found = profile === null ? undefined : this.maps.get(profile)?.get(`${tool}:${action}`);
    if (found !== undefined) return found;
    if (profile === null || !this.maps.has(profile)) {
      return {
        tool,
        action,
        profile,
        decision: 'deny',
        rule: NO_PROFILE_RULE,
        matched: [],
        reason:
          profile === null
            ? 'your role has no permission profile, so nothing is allowed; ask the lead'
            : `permission profile ${profile} no longer exists, so nothing is allowed; ask the lead`,
      };
    }
    return { tool, action, profile, decision: 'deny', rule: DEFAULT_DENY_RULE, matched: [], reason: `${tool} has no action ${action}` };
  }

  /** A call asking for one or more actions (claims ask for several): allowed when any of them is. */
  decideCall(profile: string | null, tool: string, actions: readonly [string, ...string[]]): CallPermission {
    const decisions = actions.map((action) => this.decide(profile, tool, action));
    const allowed = decisions.filter((d) => d.decision === 'allow');
    const first = decisions[0] as PermissionDecision;
    if (decisions.length === 1) return { ...first, allowed: allowed.map((d) => d.action), decisions };
    const union = (list: readonly PermissionDecision[]): string[] => [...new Set(list.flatMap((d) => d.matched))].sort(compare);
    if (allowed.length === 0) {
      return {
        ...first,
        action: actions.join('+'),
        matched: union(decisions),
        reason: `none of ${actions.map((a) => `${tool}:${a}`).join(', ')} is allowed: ${first.reason}`,
        allowed: [],
        decisions,
      };
    }
    const lead = allowed[0] as PermissionDecision;
    return {
      ...lead,
      action: allowed.map((d) => d.action).join('+'),
      matched: union(allowed),
      reason: allowed.map((d) => d.reason).join('; '),
      allowed: allowed.map((d) => d.action),
      decisions,
    };
  }
}
