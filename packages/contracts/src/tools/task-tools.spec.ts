import { LIMITS } from '../limits';
import { NewTaskSchema } from './task-tools';

describe('a new task estimate', () => {
  const task = (estimate_min: unknown) => NewTaskSchema.safeParse({ title: 't', estimate_min }).success;

  it('takes whole minutes from 1 to the limit and refuses the rest', () => {
    expect([1, 30, LIMITS.estimateMinMax].map(task)).toEqual([true, true, true]);
    expect([0, -5, LIMITS.estimateMinMax + 1, 1.5, '10'].map(task)).toEqual([false, false, false, false, false]);
  });
});
