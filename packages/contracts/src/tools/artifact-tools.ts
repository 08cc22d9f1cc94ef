import { z } from 'zod';
import { ArtifactIdSchema, ArtifactNameSchema, ArtifactSchema, TaskIdSchema } from '../entities';
import { ArtifactRowSchema, programOnly } from './compact-rows';
import { TeamArgSchema } from './hierarchy-tools';

/** Most characters of content one team_artifact_read answers; `offset` reads on. */
export const ARTIFACT_READ_CHARS = 16_000;

export const MediaTypeSchema = z
  .string()
  .max(100)
  .regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'a media type such as text/markdown');

export const ArtifactPublishInputSchema = z.strictObject({
  /** Publishing a name again adds a version. */
  name: ArtifactNameSchema,
  /** UTF-8 text, at most 1 MiB. */
  content: z.string(),
  media_type: programOnly(MediaTypeSchema.default('text/plain'), 'a media type such as text/markdown'),
  /** Tie it to a task you hold (with its fence). */
  task_id: TaskIdSchema.optional(),
  fence: z.number().int().min(0).optional(),
  plan: z.boolean().default(false).meta({ docs: 'A plan: the only artifacts plan mode allows; team_plan submits it' }),
  tests: z.boolean().optional().meta({ docs: 'A test report: what a completion under require_tests must reference' }),
});
export const ArtifactPublishOutputSchema = z.strictObject({ artifact: ArtifactRowSchema });

export const ArtifactReadInputSchema = z.strictObject({
  /** An exact version. */
  artifact_id: ArtifactIdSchema.optional(),
  /** The latest version of this name, or `version`. */
  name: ArtifactNameSchema.optional(),
  version: z.number().int().min(1).optional(),
  /** Characters of content to skip: the previous answer's next_offset. */
  offset: z.number().int().min(0).optional(),
  team: TeamArgSchema.optional(),
});
export const ArtifactReadOutputSchema = z.strictObject({
  artifact: ArtifactSchema,
  /** At most ARTIFACT_READ_CHARS characters from `offset`. */
  content: z.string(),
  /** Where the rest starts (pass it as `offset`); null when `content` reaches the end. */
  next_offset: z.number().int().nullable(),
});

export const ArtifactListInputSchema = z.strictObject({
  /** Every version of this name instead of the latest of every name. */
  name: ArtifactNameSchema.optional(),
  team: TeamArgSchema.optional(),
});
export const ArtifactListOutputSchema = z.strictObject({ artifacts: z.array(ArtifactRowSchema) });
