import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { z } from 'zod';
import { TaskSchema } from './entities';
import { jsonSchemaOf } from './generate/json-schemas';
import { TOOL_CONTRACTS } from './tools/catalog';

const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

/** zod (what the server enforces) and ajv on the generated schema (what clients see) must agree. */
function expectAgreement(schema: z.ZodType, io: 'input' | 'output', doc: unknown, valid: boolean): void {
  const validate = ajv.compile(jsonSchemaOf(schema, io));
  expect({ doc, zod: schema.safeParse(doc).success }).toEqual({ doc, zod: valid });
  expect({ doc, ajv: validate(doc) }).toEqual({ doc, ajv: valid });
}

const task = {
  id: 'tk_aaaaaaab',
  team_id: 'tm_aaaaaaaa',
  title: 'Write the parser',
  description: '',
  required_role: 'implementer',
  priority: 0,
  risk: 'low',
  status: 'ready',
  depends_on: [],
  owner_agent_id: null,
  fence: 0,
  lease_expires_at: null,
  attempts: 0,
  progress: null,
  result: null,
  created_by: 'ag_aaaaaaac',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  completed_at: null,
};

describe('generated JSON Schemas agree with the zod contracts', () => {
  it('accepts a well-formed task and refuses unknown fields, bad ids and bad statuses', () => {
    expectAgreement(TaskSchema, 'output', task, true);
    expectAgreement(TaskSchema, 'output', { ...task, extra: 1 }, false);
    expectAgreement(TaskSchema, 'output', { ...task, id: 'tk_../../etc' }, false);
    expectAgreement(TaskSchema, 'output', { ...task, status: 'todo' }, false);
    expectAgreement(TaskSchema, 'output', { ...task, risk: 'extreme' }, false);
  });

  it('bounds team_start max_threads to the hard cap of 6', () => {
    const input = TOOL_CONTRACTS.team_start.input;
    expectAgreement(input, 'input', { name: 'alpha' }, true);
    expectAgreement(input, 'input', { name: 'alpha', max_threads: 6 }, true);
    expectAgreement(input, 'input', { name: 'alpha', max_threads: 7 }, false);
    expectAgreement(input, 'input', { name: 'alpha', max_threads: 0 }, false);
    expectAgreement(input, 'input', { name: '../alpha' }, false);
    expectAgreement(input, 'input', { name: 'alpha', agent_id: 'ag_aaaaaaaa' }, false);
  });

  it('refuses a send to anything but an agent id or "*"', () => {
    const input = TOOL_CONTRACTS.team_send.input;
    expectAgreement(input, 'input', { to: '*', body: 'hi' }, true);
    expectAgreement(input, 'input', { to: 'ag_aaaaaaaa', body: 'hi' }, true);
    expectAgreement(input, 'input', { to: 'everyone', body: 'hi' }, false);
    expectAgreement(input, 'input', { to: '*', body: '' }, false);
  });
});
