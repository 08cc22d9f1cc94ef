import type { ErrorCode } from '@codex-team/contracts';
import { reservedAllows } from './parse-permissions';
import type { PermissionPolicy } from './permission-policy';

/** The answer to "may this agent give a new teammate that profile?", as data. */
export interface GrantDecision {
  decision: 'allow' | 'deny';
  /** `grant:within-granter`, `grant:unknown-profile`, `grant:lead-reserved` or `grant:exceeds-granter`. */
  rule: string;
  reason: string;
  /** What a refusal is answered with: an unknown profile is bad input, the rest are denials. */
  code: ErrorCode | null;
  /** The tool:action pairs the grant would allow beyond the granter's own (sorted). */
  exceeding: readonly string[];
}

/**
 * A grant at spawn gives one teammate `granted` instead of its role's profile. It may be narrower
 * or wider than the role's, but never wider than the granter's own profile, and never a profile
 * allowing lead-only tools, which stay the lead's.
 */
export function checkGrant(policy: PermissionPolicy, granterProfile: string | null, granted: string): GrantDecision {
  if (!policy.profiles.has(granted)) {
    return {
      decision: 'deny',
      rule: 'grant:unknown-profile',
      reason: `there is no permission profile "${granted}" (profiles: ${[...policy.profiles.keys()].join(', ')})`,
      code: 'INVALID_INPUT',
      exceeding: [],
    };
  }
  const reserved = reservedAllows(policy, granted);
  if (reserved.length > 0) {
    return {
      decision: 'deny',
      rule: 'grant:lead-reserved',
      reason: `profile ${granted} allows ${reserved.join(', ')}, which only the lead may call; it cannot be granted to a teammate`,
      code: 'DENIED',
      exceeding: reserved,
    };
  }
  const mine = granterProfile === null ? new Map() : policy.allowMap(granterProfile);
  const exceeding = [...policy.allowMap(granted).values()]
    .filter((d) => d.decision === 'allow' && mine.get(`${d.tool}:${d.action}`)?.decision !== 'allow')
    .map((d) => `${d.tool}:${d.action}`)
    .sort();
  if (exceeding.length > 0) {
    return {
      decision: 'deny',
      rule: 'grant:exceeds-granter',
      reason: `profile ${granted} allows ${exceeding.join(', ')}, which your profile ${String(granterProfile)} does not; a grant stays within yours`,
      code: 'DENIED',
      exceeding,
    };
  }
  return {
    decision: 'allow',
    rule: 'grant:within-granter',
    reason: `profile ${granted} is within ${String(granterProfile)}`,
    code: null,
    exceeding: [],
  };
}
