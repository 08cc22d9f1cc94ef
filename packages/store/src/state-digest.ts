import { createHash } from 'node:crypto';
import type { AuditEvent, TeamSnapshot } from '@codex-team/contracts';

/** JSON with object keys sorted: equal data gives equal text, whatever the key order or realm. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? Object.fromEntries(Object.entries(node as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : node,
  );
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The digest of a team's state: sha256 of its canonical JSON. Two states are equal exactly when
 * their digests are, whichever way they were built (the store's tables, a replay of every event,
 * or a checkpoint and the events after it).
 */
export function stateDigest(snapshot: TeamSnapshot): string {
  return sha256Hex(canonicalJson(snapshot));
}

/**
 * The checksum of an archive segment: sha256 over the previous segment's checksum ('' for the
 * first) and each event's canonical JSON, one per line. Chained, so changing any archived event,
 * or leaving one out, changes every checksum from its segment on.
 */
export function archiveChecksum(previous: string, events: readonly AuditEvent[]): string {
  const hash = createHash('sha256').update(previous);
  for (const event of events) hash.update('\n').update(canonicalJson(event));
  return hash.digest('hex');
}
