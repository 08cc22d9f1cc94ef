import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { findBuiltinProfilesDir } from './load-profiles';
import { parsePermissionPolicy } from './parse-permissions';
import type { PermissionPolicy } from './permission-policy';

/** The shipped permissions file, beside the policy profiles: `profiles/permissions/default.yaml`. */
export function findBuiltinPermissionsFile(startDir: string): string {
  return join(findBuiltinProfilesDir(startDir), 'permissions', 'default.yaml');
}

/**
 * Reads and resolves a permissions file. Throws TeamError `NOT_FOUND` when it cannot be read and
 * `INVALID_INPUT` (with `details.problems`) when it is invalid.
 */
export function loadPermissionPolicy(path: string): PermissionPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TeamError('NOT_FOUND', `cannot read permissions file ${path}: ${String(error)}`, { path });
  }
  return parsePermissionPolicy(text, path);
}
