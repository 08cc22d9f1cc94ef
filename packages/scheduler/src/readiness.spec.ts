import { blockedByCycle } from './dependency-cycles';
import { learnDurations } from './task-durations';
import { CLAIM_ORDER, EVERY_KIND, claimRanks, claimRefusal, compareClaimOrder, isClaimableBy, isReady, readyTasks, selectNextTask, type SchedulableTask } from './readiness';

const UNRANKED = new Map<string, number>();

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

  it('lists ready tasks by priority, then creation order, when their critical paths are equal', () => {
    // Given in creation order, as every store lists a team's tasks.
    const tasks = [
      task('t3'),
      task('t1', { priority: 5 }),
      task('t4', { status: 'blocked', depends_on: ['t5'] }),
      task('t5', { status: 'in_progress' }),
      task('t0'),
      task('t2', { priority: 5 }),
    ];
    expect(readyTasks(tasks, UNRANKED).map((t) => t.id)).toEqual(['t1', 't2', 't3', 't0']);
    const at = (priority: number, creation: number) => ({ critical_path_ms: 0, priority, creation });
    expect(compareClaimOrder(at(1, 4), at(1, 4))).toBe(0);
    expect(compareClaimOrder(at(1, 9), at(0, 1))).toBeLessThan(0);
    expect(compareClaimOrder(at(0, 1), at(0, 2))).toBeLessThan(0);
  });

  it('claims the task the rest of the run waits on longest first, then by priority and creation', () => {
    expect(CLAIM_ORDER).toEqual([
      { key: 'critical_path', direction: 'desc' },
      { key: 'priority', direction: 'desc' },
      { key: 'creation', direction: 'asc' },
    ]);
    // Nothing finished yet: every task weighs the prior, so the longest chain of tasks goes first.
    const tasks = [
      task('urgent-leaf', { priority: 9 }),
      task('chain-head'),
      task('chain-mid', { status: 'blocked', depends_on: ['chain-head'] }),
      task('chain-end', { status: 'blocked', depends_on: ['chain-mid'] }),
      task('short-head'),
      task('short-end', { status: 'blocked', depends_on: ['short-head'] }),
    ];
    const prior = learnDurations([], 600_000);
    expect(readyTasks(tasks, claimRanks(tasks, prior)).map((t) => t.id)).toEqual(['chain-head', 'short-head', 'urgent-leaf']);
    // A size estimate outweighs the chain: a 2-hour leaf beats three 10-minute tasks in a row.
    const sized = tasks.map((t) => (t.id === 'urgent-leaf' ? { ...t, estimate_ms: 120 * 60_000 } : t));
    expect(selectNextTask(sized, 'implementer', claimRanks(sized, prior))?.id).toBe('urgent-leaf');
    // Learned durations weigh by role: reviews known to take long rank their chain higher.
    const roles = [task('impl'), task('review', { required_role: 'reviewer' })];
    const learned = learnDurations([{ required_role: 'reviewer', duration_ms: 3_600_000 }, { required_role: null, duration_ms: 60_000 }], 600_000);
    expect(readyTasks(roles, claimRanks(roles, learned)).map((t) => t.id)).toEqual(['review', 'impl']);
  });

  it('hands an agent the first ready task it may claim', () => {
    const tasks = [
      task('review', { priority: 9, required_role: 'reviewer' }),
      task('any', { priority: 1 }),
      task('impl', { priority: 3, required_role: 'implementer' }),
    ];
    expect(selectNextTask(tasks, 'implementer', UNRANKED)?.id).toBe('impl');
    expect(selectNextTask(tasks, 'reviewer', UNRANKED)?.id).toBe('review');
    expect(selectNextTask(tasks, 'tester', UNRANKED)?.id).toBe('any');
    expect(selectNextTask([task('r', { required_role: 'reviewer' })], 'tester', UNRANKED)).toBeUndefined();
    expect(isClaimableBy({ required_role: null }, 'anyone')).toBe(true);
    // Permissions narrow the kinds of task: a reviewer that may not take role-free work skips it.
    expect(selectNextTask(tasks, 'tester', UNRANKED, { ownRole: true, unassigned: false })).toBeUndefined();
    expect(selectNextTask(tasks, 'implementer', UNRANKED, { ownRole: false, unassigned: true })?.id).toBe('any');
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
