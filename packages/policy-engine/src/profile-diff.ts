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
  // Optional sections (caps, hooks) may be on one side only: a field that goes away is a change too.
  const fields = [...after.keys(), ...[...before.keys()].filter((field) => !after.has(field))];
  for (const field of fields) {
    if (field === 'name' || field === 'description') continue;
    const old = before.get(field);
    const value = after.get(field);
    if (JSON.stringify(old) !== JSON.stringify(value)) {
      changes.push(`${field} ${JSON.stringify(old) ?? 'unset'} -> ${JSON.stringify(value) ?? 'unset'}`);
    }
  }
  return changes;
}
