import fc from 'fast-check';
import type { TaskStatus } from '@codex-team/contracts';
import { thrownCode } from '@codex-team/contracts/testing';
import { criticalPath, criticalPathRanks, liveWork, type RankableTask } from './critical-path';
import { compareClaimOrder, type ClaimOrderFacts } from './readiness';
import { waitedOnInClaimOrder } from './claim-rank-order';

const task = (id: string, status: TaskStatus, ...depends_on: string[]): RankableTask => ({ id, status, depends_on, required_role: null });
const ranked = (id: string, critical_path_ms: number, priority = 0, creation = 0): ClaimOrderFacts & { id: string } => ({ id, critical_path_ms, priority, creation });

describe('compareClaimOrder', () => {
  it('puts the longer critical path first, then the higher priority, then the older task', () => {
    const tasks = [
      ranked('late-high', 10, 9, 5),
      ranked('long', 30, 0, 9),
      ranked('early-high', 10, 9, 1),
      ranked('low', 10, 1, 2),
      ranked('first-low', 10, 1, 0),
    ];
    const order = ['long', 'early-high', 'late-high', 'first-low', 'low'];
    expect([...tasks].sort(compareClaimOrder).map((t) => t.id)).toEqual(order);
    expect([...tasks].reverse().sort(compareClaimOrder).map((t) => t.id)).toEqual(order);
    expect(compareClaimOrder(ranked('x', 1), ranked('x', 1))).toBe(0);
  });
});

describe('criticalPathRanks', () => {
  it('ranks each task by the longest chain of work from it to the end, itself included', () => {
    const weights: Record<string, number> = { plan: 2, api: 5, ui: 1, review: 3, docs: 1 };
    const tasks = [
      task('plan', 'ready'),
      task('api', 'blocked', 'plan'),
      task('ui', 'blocked', 'plan'),
      task('review', 'blocked', 'api', 'ui'),
      task('docs', 'blocked', 'plan'),
    ];
    const ranks = criticalPathRanks(tasks, (t) => weights[t.id] ?? 0);
    expect(Object.fromEntries(ranks)).toEqual({ plan: 10, api: 8, ui: 4, review: 3, docs: 1 });
  });

  it('leaves out finished tasks, and tasks behind a failed one, which can never run', () => {
    const tasks = [
      task('done', 'done'),
      task('failed', 'failed'),
      task('next', 'ready', 'done'),
      task('doomed', 'blocked', 'failed'),
      task('after-doomed', 'blocked', 'doomed', 'next'),
      task('last', 'blocked', 'next'),
    ];
    const ranks = criticalPathRanks(tasks, () => 1);
    expect(Object.fromEntries(ranks)).toEqual({ next: 2, last: 1 });
    expect([...liveWork(tasks).live.keys()].sort()).toEqual(['last', 'next']);
  });

  it('agrees with criticalPath: the largest rank is the critical path of an unstarted DAG', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(20), fc.array(fc.nat(), { maxLength: 3 })), { maxLength: 25 }), (spec) => {
        const nodes = spec.map(([duration, picks], i) => ({
          id: `t${i}`,
          duration,
          depends_on: i === 0 ? [] : [...new Set(picks.map((p) => `t${p % i}`))],
        }));
        const ranks = criticalPathRanks(
          nodes.map((n) => task(n.id, 'blocked', ...n.depends_on)),
          (t) => nodes.find((n) => n.id === t.id)?.duration ?? 0,
        );
        expect(Math.max(0, ...ranks.values())).toBe(criticalPath(nodes).duration);
      }),
    );
  });

  it('refuses cycles, unknown dependencies, duplicate ids and bad estimates', () => {
    expect(thrownCode(() => criticalPathRanks([task('a', 'ready', 'b'), task('b', 'ready', 'a')], () => 1))).toBe('CYCLE_DETECTED');
    expect(thrownCode(() => criticalPathRanks([task('a', 'ready', 'ghost')], () => 1))).toBe('INVALID_INPUT');
    expect(thrownCode(() => criticalPathRanks([task('a', 'ready'), task('a', 'done')], () => 1))).toBe('INVALID_INPUT');
    expect(thrownCode(() => criticalPathRanks([task('a', 'ready')], () => -1))).toBe('INVALID_INPUT');
    expect(thrownCode(() => criticalPathRanks([task('a', 'ready')], () => Number.NaN))).toBe('INVALID_INPUT');
    // A cycle among finished tasks is history, not work: nothing is ranked, nothing refused.
    expect(criticalPathRanks([task('a', 'done', 'b'), task('b', 'done', 'a')], () => 1).size).toBe(0);
  });
});

describe('waitedOnInClaimOrder', () => {
  const statuses: TaskStatus[] = ['blocked', 'ready', 'in_progress', 'done', 'failed', 'cancelled'];
  const dag = fc.array(fc.record({ status: fc.constantFrom(...statuses), weight: fc.nat(9), priority: fc.nat(3), picks: fc.array(fc.nat(), { maxLength: 3 }) }), { maxLength: 25 });
  const build = (spec: { status: TaskStatus; weight: number; priority: number; picks: number[] }[]) =>
    spec.map((s, i) => ({ ...task(`t${i}`, s.status, ...(i === 0 ? [] : [...new Set(s.picks.map((p) => `t${p % i}`))])), priority: s.priority, seq: i, weight: s.weight }));

  it('lists the live tasks another task waits on, in claim order by their criticalPathRanks', () => {
    fc.assert(
      fc.property(dag, (spec) => {
        const tasks = build(spec);
        const ranks = criticalPathRanks(tasks, (t) => t.weight);
        const waitedOn = new Set(tasks.flatMap((t) => t.depends_on));
        const expected = tasks
          .filter((t) => ranks.has(t.id) && waitedOn.has(t.id))
          .map((t) => ranked(t.id, ranks.get(t.id) ?? 0, t.priority, t.seq))
          .sort(compareClaimOrder);
        expect(waitedOnInClaimOrder(liveWork(tasks), (t) => t.weight)).toEqual(expected);
      }),
    );
  });

  it('keeps every other live rank when a task is claimed, released or done: only what waits on a task ranks it', () => {
    fc.assert(
      fc.property(dag, fc.nat(), fc.constantFrom<TaskStatus>('in_progress', 'ready', 'done'), (spec, at, next) => {
        const tasks = build(spec);
        const before = criticalPathRanks(tasks, (t) => t.weight);
        const readyIds = tasks.filter((t) => t.status === 'ready' && t.depends_on.every((d) => tasks.find((x) => x.id === d)?.status === 'done'));
        const moved = readyIds[at % Math.max(1, readyIds.length)];
        if (moved === undefined) return;
        const after = criticalPathRanks(
          tasks.map((t) => (t.id === moved.id ? { ...t, status: next } : t)),
          (t) => t.weight,
        );
        for (const [id, rank] of after) if (id !== moved.id) expect(rank).toBe(before.get(id));
      }),
    );
  });
});
