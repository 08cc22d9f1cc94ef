import { blockedByCycle } from './dependency-cycles';
import { CLAIM_ORDER, EVERY_KIND, claimRefusal, compareClaimOrder, isClaimableBy, isReady, readyTasks, selectNextTask, type SchedulableTask } from './readiness';

const task = (id: string, over: Partial<SchedulableTask> = {}): SchedulableTask => ({
  id,
  status: 'ready',
  depends_on: [],
  priority: 0,
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

  it('lists ready tasks by priority, then creation order', () => {
    // Given in creation order, as every store lists a team's tasks.
    const tasks = [
      task('t3'),
      task('t1', { priority: 5 }),
      task('t4', { status: 'blocked', depends_on: ['t5'] }),
      task('t5', { status: 'in_progress' }),
      task('t0'),
      task('t2', { priority: 5 }),
    ];
    expect(readyTasks(tasks).map((t) => t.id)).toEqual(['t1', 't2', 't3', 't0']);
    expect(CLAIM_ORDER).toEqual([
      { key: 'priority', direction: 'desc' },
      { key: 'creation', direction: 'asc' },
    ]);
    expect(compareClaimOrder({ priority: 1, creation: 4 }, { priority: 1, creation: 4 })).toBe(0);
    expect(compareClaimOrder({ priority: 1, creation: 9 }, { priority: 0, creation: 1 })).toBeLessThan(0);
    expect(compareClaimOrder({ priority: 0, creation: 1 }, { priority: 0, creation: 2 })).toBeLessThan(0);
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
    // Permissions narrow the kinds of task: a reviewer that may not take role-free work skips it.
    expect(selectNextTask(tasks, 'tester', { ownRole: true, unassigned: false })).toBeUndefined();
    expect(selectNextTask(tasks, 'implementer', { ownRole: false, unassigned: true })?.id).toBe('any');
  });

  it('refuses a claim by status, role, kind and dependencies, in that order', () => {
    const ready = { id: 'tk', status: 'ready' as const, required_role: 'reviewer' };
    const facts = { task: ready, unfinishedDependencies: 0, role: 'reviewer', kinds: EVERY_KIND };
    expect(claimRefusal(facts)).toBeNull();
    expect(claimRefusal({ ...facts, task: { ...ready, status: 'blocked' } })).toMatchObject({ rule: 'claim.status', code: 'CONFLICT' });
    expect(claimRefusal({ ...facts, role: 'tester' })).toMatchObject({ rule: 'claim.role', code: 'DENIED' });
    expect(claimRefusal({ ...facts, kinds: { ownRole: false, unassigned: true } })).toMatchObject({ rule: 'claim.kind', code: 'DENIED' });
    expect(claimRefusal({ ...facts, unfinishedDependencies: 1 })).toMatchObject({ rule: 'claim.dependencies', code: 'CONFLICT' });
  });

  it('finds the tasks in or behind a dependency cycle, and none in a DAG', () => {
    const node = (id: string, ...depends_on: string[]) => ({ id, depends_on });
    expect(blockedByCycle([node('a'), node('b', 'a', 'outside'), node('c', 'a', 'b')])).toEqual([]);
    expect(blockedByCycle([node('a', 'c'), node('b', 'a'), node('c', 'b'), node('d', 'c'), node('e')])).toEqual(['a', 'b', 'c', 'd']);
    expect(blockedByCycle([node('self', 'self')])).toEqual(['self']);
  });
});
