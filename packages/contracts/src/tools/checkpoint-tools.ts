import { z } from 'zod';
import { ArtifactIdSchema } from '../entities';

/** The format of a checkpoint's state; a reader refuses a format it does not know. */
export const CHECKPOINT_FORMAT = 1;
/** The artifact a checkpoint publishes its compact view as (one version per checkpoint). */
export const CHECKPOINT_ARTIFACT = 'team-checkpoint';

/**
 * A checkpoint: the team's state as replaying its audit trail up to `upto_seq` gives it, stored
 * compressed with its checksum, and the events it covers sealed as an archive segment (checksums
 * chained from the previous checkpoint's). The events themselves are kept, never deleted.
 */
export const CheckpointRefSchema = z.strictObject({
  /** 1 for the team's first checkpoint, then one more each time. */
  number: z.number().int().min(1),
  format: z.number().int(),
  /** The last audit event the state covers. */
  upto_seq: z.number().int(),
  /** Audit events of the team up to upto_seq. */
  events: z.number().int(),
  /** sha256 of the state as replay gives it (the state digest `codex-team replay --verify` compares). */
  state_digest: z.string(),
  /** The events since the previous checkpoint, sealed: first and last seq, count, chained sha256. */
  archive: z.strictObject({ from_seq: z.number().int(), to_seq: z.number().int(), events: z.number().int(), sha256: z.string() }),
  /** The compact view (open work, done work, decisions, unread counts): team_artifact_read by id. */
  artifact_id: ArtifactIdSchema,
});
export type CheckpointRef = z.infer<typeof CheckpointRefSchema>;

export const TeamCheckpointInputSchema = z.strictObject({});
export const TeamCheckpointOutputSchema = z.strictObject({
  checkpoint: CheckpointRefSchema,
  /** False when no event happened since the latest checkpoint, which is answered instead. */
  created: z.boolean(),
});
