import { z } from 'zod';
import { ArtifactIdSchema, ArtifactNameSchema, ArtifactSchema, TaskIdSchema } from '../entities';
import { TeamArgSchema } from './hierarchy-tools';

export const MediaTypeSchema = z
  .string()
  .max(100)
  .regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'a media type such as text/markdown');

export const ArtifactPublishInputSchema = z.strictObject({
  name: ArtifactNameSchema.describe('Publishing an existing name adds a version'),
  content: z.string().describe('UTF-8 text, at most 1 MiB'),
  media_type: MediaTypeSchema.default('text/plain'),
  task_id: TaskIdSchema.optional().describe('Tie it to a task you hold (needs fence)'),
  fence: z.number().int().min(0).optional(),
  plan: z.boolean().default(false).describe('A plan: the only artifacts plan mode allows; team_plan submits it'),
  /** A test report: what a completion under require_tests must reference. */
  tests: z.boolean().optional(),
});
export const ArtifactPublishOutputSchema = z.strictObject({ artifact: ArtifactSchema });

export const ArtifactReadInputSchema = z.strictObject({
  artifact_id: ArtifactIdSchema.optional().describe('An exact version'),
  name: ArtifactNameSchema.optional().describe('The latest version, or `version`'),
  version: z.number().int().min(1).optional(),
  team: TeamArgSchema.optional(),
});
export const ArtifactReadOutputSchema = z.strictObject({
  artifact: ArtifactSchema,
  content: z.string(),
});

export const ArtifactListInputSchema = z.strictObject({
  name: ArtifactNameSchema.optional().describe('List every version of this name'),
  team: TeamArgSchema.optional(),
});
export const ArtifactListOutputSchema = z.strictObject({ artifacts: z.array(ArtifactSchema) });
