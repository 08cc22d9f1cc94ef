import { compareClaimOrder, isClaimableBy, isReady, readyTasks, selectNextTask, type SchedulableTask } from './readiness';

const task = (id: string, over: Partial<SchedulableTask> = {}): SchedulableTask => ({
  id,
  status: 'ready',
  depends_on: [],
  priority: 0,
  created_at: '2026-01-01T00:00:00.000Z',
  required_role: null,
  ...over,
});

describe('readiness', () => {
  it('is ready when waiting and every dependency is done', () => {
    const a = task('a', { status: 'done' });
    const b = task('b', { status: 'in_progress' });
    const doneIds = new Set([a, b].filter((t) => t.status === 'done').map((t) => t.id));
    expect(isReady(task('c', { status: 'blocked', depends_on: ['a'] }), doneIds)).toBe(true);
    expect(isReady(task('c', { status: 'blocked', depends_on: ['a', 'b'] }), doneIds)).toBe(false);
    expect(isReady(task('c', { status: 'blocked', depends_on: ['missing'] }), doneIds)).toBe(false);
    expect(isReady(task('c', { status: 'in_progress' }), doneIds)).toBe(false);
    expect(isReady(task('c', { status: 'done' }), doneIds)).toBe(false);
  });

  it('lists ready tasks by priority, then age, then id, whatever the input order', () => {
    const tasks = [
      task('t3', { created_at: '2026-01-01T00:00:02.000Z' }),
      task('t1', { priority: 5 }),
      task('t4', { status: 'blocked', depends_on: ['t5'] }),
      task('t5', { status: 'in_progress' }),
      task('t0', { created_at: '2026-01-01T00:00:02.000Z' }),
      task('t2', { priority: 5 }),
    ];
    const order = ['t1', 't2', 't0', 't3'];
    expect(readyTasks(tasks).map((t) => t.id)).toEqual(order);
    expect(readyTasks([...tasks].reverse()).map((t) => t.id)).toEqual(order);
    expect(compareClaimOrder(task('x'), task('x'))).toBe(0);
  });

  it('hands an agent the first ready task it may claim', () => {
    const tasks = [
      task('review', { priority: 9, required_role: 'reviewer' }),
      task('any', { priority: 1 }),
      task('impl', { priority: 3, required_role: 'implementer' }),
    ];
    expect(selectNextTask(tasks, 'implementer')?.id).toBe('impl');
    expect(selectNextTask(tasks, 'reviewer')?.id).toBe('review');
    expect(selectNextTask(tasks, 'tester')?.id).toBe('any');
    expect(selectNextTask([task('r', { required_role: 'reviewer' })], 'tester')).toBeUndefined();
    expect(isClaimableBy({ required_role: null }, 'anyone')).toBe(true);
  });
});
