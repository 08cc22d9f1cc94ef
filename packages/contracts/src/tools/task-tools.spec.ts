import { jsonSchemaOf } from '../generate/json-schemas';
import { LIMITS } from '../limits';
import { NewTaskSchema } from './task-tools';

describe('a new task estimate', () => {
  const task = (estimate_min: unknown) => NewTaskSchema.safeParse({ title: 't', estimate_min }).success;

  it('takes whole minutes from 1 to the limit and refuses the rest', () => {
    expect([1, 30, LIMITS.estimateMinMax].map(task)).toEqual([true, true, true]);
    expect([0, -5, LIMITS.estimateMinMax + 1, 1.5, '10'].map(task)).toEqual([false, false, false, false, false]);
  });

  it('advertises only that it is an integer: the bounds are checked, not paid for on every model turn', () => {
    const properties = (jsonSchemaOf(NewTaskSchema, 'input') as { properties: Record<string, unknown> }).properties;
    // zod's safe-integer bounds are on every integer; the advertised schema drops them (mcp-server).
    expect(properties['estimate_min']).toEqual({ type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
  });
});
