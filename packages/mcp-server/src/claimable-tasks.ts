import type { CallPermission } from '@codex-team/policy-engine';
import type { ClaimableTasks } from '@codex-team/store';

/** The kinds of task a claim may take, from the claim actions its permission answer allowed. */
export function claimableTasks(permission: CallPermission): ClaimableTasks {
  return { ownRole: permission.allowed.includes('own_role'), unassigned: permission.allowed.includes('unassigned') };
}
