// The store's hook operations in a server built without the hook engine (the hooks benchmark's
// baseline): it replaces the store's sqlite/hook-ops module in that build, so no built-in gate
// reads anything inside a completion or a claim. The port's hook operations are not reachable there.
import { TeamError } from '@codex-team/contracts';

/** No quality gates. */
export function requireCompletionGates(): void {
  return undefined;
}

/** No caps. */
export function requireClaimCaps(): void {
  return undefined;
}

function absent(): never {
  throw new TeamError('INTERNAL', 'this server was built without the hook engine');
}

export const recordHookBlock = absent;
export const readTask = absent;
export const findTicketHolder = absent;
export const callScope = absent;
