import { findBuiltinPermissionsFile, loadPermissionPolicy, type PermissionPolicy } from '@codex-team/policy-engine';

let shipped: PermissionPolicy | null = null;

/**
 * The permission policy shipped in `profiles/permissions/default.yaml`, read and resolved once per
 * process (every session of the process shares it). Throws TeamError `NOT_FOUND` or
 * `INVALID_INPUT` when the file is missing or invalid.
 */
export function shippedPermissionPolicy(): PermissionPolicy {
  shipped ??= loadPermissionPolicy(findBuiltinPermissionsFile(__dirname));
  return shipped;
}
