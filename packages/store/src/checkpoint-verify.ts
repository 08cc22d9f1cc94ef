import type { AuditEvent } from '@codex-team/contracts';
import { ReplayState, type ReplayStateJson } from './audit-replay';
import { archiveChecksum, sha256Hex, stateDigest } from './state-digest';
import type { StoredCheckpoint } from './team-store';

/** What the check of one checkpoint found. */
export interface CheckpointVerdict {
  number: number;
  upto_seq: number;
  /** The stored state matches its checksum. */
  state_checksum_ok: boolean;
  /** The events it archived are still exactly those it sealed (the chained checksum recomputed). */
  archive_ok: boolean;
  /** Replaying every event up to upto_seq gives its state (digest and state alike). */
  state_ok: boolean;
}

/** `codex-team replay --verify`'s check of the checkpoints: replay from nothing against replay from the latest. */
export interface ReplayVerdict {
  events: number;
  /** The digest of replay(all events). */
  full_digest: string;
  /** replay(latest checkpoint + the events after it), when the team has a checkpoint. */
  from_checkpoint: { number: number; upto_seq: number; later_events: number; digest: string } | null;
  /** Every checkpoint checked, oldest first. */
  checkpoints: CheckpointVerdict[];
  /** Everything agrees: each checkpoint, and both replays give the same digest. */
  ok: boolean;
}

/** A checkpoint's replay state, or null when it does not match its checksum or cannot be read. */
function stateOf(stored: StoredCheckpoint): ReplayState | null {
  if (sha256Hex(stored.state) !== stored.state_sha256) return null;
  try {
    return ReplayState.fromJson(JSON.parse(stored.state.toString('utf8')) as ReplayStateJson);
  } catch {
    return null;
  }
}

/**
 * Checks a team's checkpoints against its whole audit trail, in one pass: each checkpoint's
 * state checksum, its archive segment (the events it sealed, chained checksum recomputed), and
 * that replaying every event up to it gives exactly its state; then that replay(latest
 * checkpoint + later events) gives the same state digest as replay(all events). `events` are the
 * team's every event in seq order, `checkpoints` its every checkpoint, oldest first, with states.
 */
export function verifyCheckpoints(events: readonly AuditEvent[], checkpoints: readonly StoredCheckpoint[]): ReplayVerdict {
  const full = new ReplayState();
  const verdicts: CheckpointVerdict[] = [];
  let index = 0;
  let previousSha = '';
  let previousUpto = 0;
  for (const stored of checkpoints) {
    const { checkpoint } = stored;
    const segment: AuditEvent[] = [];
    for (; index < events.length && (events[index] as AuditEvent).seq <= checkpoint.upto_seq; index += 1) {
      const event = events[index] as AuditEvent;
      full.apply(event);
      segment.push(event);
    }
    const saved = stateOf(stored);
    const archiveOk =
      segment.length === checkpoint.archive.events &&
      segment[0]?.seq === checkpoint.archive.from_seq &&
      segment[segment.length - 1]?.seq === checkpoint.archive.to_seq &&
      checkpoint.archive.to_seq === checkpoint.upto_seq &&
      previousUpto < checkpoint.archive.from_seq &&
      archiveChecksum(previousSha, segment) === checkpoint.archive.sha256;
    const digest = full.uptoSeq === checkpoint.upto_seq ? stateDigest(full.snapshot()) : null;
    verdicts.push({
      number: checkpoint.number,
      upto_seq: checkpoint.upto_seq,
      state_checksum_ok: saved !== null,
      archive_ok: archiveOk,
      state_ok: digest !== null && digest === checkpoint.state_digest && saved !== null && stateDigest(saved.snapshot()) === digest,
    });
    previousSha = checkpoint.archive.sha256;
    previousUpto = checkpoint.upto_seq;
  }
  for (; index < events.length; index += 1) full.apply(events[index] as AuditEvent);
  const fullDigest = stateDigest(full.snapshot());
  const latest = checkpoints[checkpoints.length - 1];
  let fromCheckpoint: ReplayVerdict['from_checkpoint'] = null;
  if (latest !== undefined) {
    const resumed = stateOf(latest);
    const later = events.filter((event) => event.seq > latest.checkpoint.upto_seq);
    if (resumed !== null) for (const event of later) resumed.apply(event);
    fromCheckpoint = {
      number: latest.checkpoint.number,
      upto_seq: latest.checkpoint.upto_seq,
      later_events: later.length,
      digest: resumed === null ? 'unreadable' : stateDigest(resumed.snapshot()),
    };
  }
  const ok =
    verdicts.every((verdict) => verdict.state_checksum_ok && verdict.archive_ok && verdict.state_ok) &&
    (fromCheckpoint === null || fromCheckpoint.digest === fullDigest);
  return { events: events.length, full_digest: fullDigest, from_checkpoint: fromCheckpoint, checkpoints: verdicts, ok };
}
