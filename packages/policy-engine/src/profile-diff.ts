import type { Profile } from '@codex-team/contracts';

function leaves(value: unknown, path: string, into: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      leaves(child, path === '' ? key : `${path}.${key}`, into);
    }
    return;
  }
  into.set(path, value);
}

/**
 * What switching from one profile to another changes, one line per field in the profile's own
 * order: `lease.length_ms 60000 -> 30000`. The name and description are left out. Pure.
 */
export function profileChanges(from: Profile, to: Profile): string[] {
  const before = new Map<string, unknown>();
  const after = new Map<string, unknown>();
  leaves(from, '', before);
  leaves(to, '', after);
  const changes: string[] = [];
  for (const [field, value] of after) {
    if (field === 'name' || field === 'description') continue;
    const old = before.get(field);
    if (JSON.stringify(old) !== JSON.stringify(value)) {
      changes.push(`${field} ${JSON.stringify(old)} -> ${JSON.stringify(value)}`);
    }
  }
  return changes;
}
