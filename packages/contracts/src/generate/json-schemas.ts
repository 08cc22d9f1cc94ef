import { z } from 'zod';
import {
  AgentSchema,
  ArtifactSchema,
  AuditEventSchema,
  MessageSchema,
  TaskSchema,
  TeamSchema,
} from '../entities';
import { ErrorBodySchema } from '../errors';
import { AuthzDecisionSchema } from '../permissions';
import { TOOL_CONTRACTS, TOOL_NAMES } from '../tools/catalog';

/** JSON Schema (draft 2020-12) of a zod schema as a client sends it (`io: 'input'`) or receives it. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Record<string, unknown>;
}

const ENTITY_SCHEMAS: Record<string, z.ZodType> = {
  team: TeamSchema,
  agent: AgentSchema,
  task: TaskSchema,
  message: MessageSchema,
  artifact: ArtifactSchema,
  'audit-event': AuditEventSchema,
  'authz-decision': AuthzDecisionSchema,
  'error-body': ErrorBodySchema,
};

/**
 * Every generated JSON Schema document keyed by its file name under `packages/contracts/schemas/`.
 * The committed files must equal this; a test fails on drift.
 */
export function generatedJsonSchemas(): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of Object.entries(ENTITY_SCHEMAS)) {
    files[`entities/${name}.schema.json`] = jsonSchemaOf(schema, 'output');
  }
  for (const name of TOOL_NAMES) {
    const contract = TOOL_CONTRACTS[name];
    files[`tools/${name}.input.schema.json`] = jsonSchemaOf(contract.input, 'input');
    files[`tools/${name}.output.schema.json`] = jsonSchemaOf(contract.output, 'output');
  }
  return files;
}
