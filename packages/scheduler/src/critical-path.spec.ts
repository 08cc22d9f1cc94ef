import { thrownCode } from '@codex-team/contracts/testing';
import { criticalPath, remainingCriticalPath, type CriticalPath, type PathNode } from './critical-path';

const node = (id: string, duration: number, ...depends_on: string[]): PathNode => ({ id, duration, depends_on });

/** Every path of a small DAG from a task without dependencies: the longest, ties to the smallest ids. */
function bruteForce(nodes: PathNode[]): CriticalPath {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const dependents = (id: string) => nodes.filter((n) => n.depends_on.includes(id)).map((n) => n.id);
  let best: CriticalPath = { path: [], duration: 0 };
  const better = (a: CriticalPath, b: CriticalPath): boolean => {
    if (a.duration !== b.duration) return a.duration > b.duration;
    if (b.path.length === 0) return true;
    const n = Math.min(a.path.length, b.path.length);
    for (let i = 0; i < n; i += 1) if (a.path[i] !== b.path[i]) return (a.path[i] as string) < (b.path[i] as string);
    return a.path.length < b.path.length;
  };
  const walk = (path: string[], duration: number): void => {
    const here = { path, duration };
    if (better(here, best)) best = here;
    for (const next of dependents(path[path.length - 1] as string)) {
      walk([...path, next], duration + (byId.get(next)?.duration ?? 0));
    }
  };
  for (const n of nodes) if (n.depends_on.length === 0) walk([n.id], n.duration);
  return best;
}

describe('criticalPath', () => {
  it('is empty for no tasks and the task itself for one', () => {
    expect(criticalPath([])).toEqual({ path: [], duration: 0 });
    expect(criticalPath([node('a', 3)])).toEqual({ path: ['a'], duration: 3 });
  });

  it('follows the heavier branch of a diamond', () => {
    const dag = [node('start', 1), node('fast', 2, 'start'), node('slow', 5, 'start'), node('end', 1, 'fast', 'slow')];
    expect(criticalPath(dag)).toEqual({ path: ['start', 'slow', 'end'], duration: 7 });
  });

  it('prefers a long chain of light tasks to one heavy task', () => {
    const dag = [node('heavy', 5), node('a', 2), node('b', 2, 'a'), node('c', 2, 'b')];
    expect(criticalPath(dag)).toEqual({ path: ['a', 'b', 'c'], duration: 6 });
  });

  it('breaks ties by the smallest id sequence, whatever the input order', () => {
    const dag = [node('s', 1), node('y', 2, 's'), node('x', 2, 's'), node('t', 1, 'x', 'y'), node('u', 4)];
    expect(criticalPath(dag)).toEqual({ path: ['s', 'x', 't'], duration: 4 });
    expect(criticalPath([...dag].reverse())).toEqual({ path: ['s', 'x', 't'], duration: 4 });
    const twoChains = [node('b1', 1), node('b2', 1, 'b1'), node('a1', 1), node('a2', 1, 'a1')];
    expect(criticalPath(twoChains).path).toEqual(['a1', 'a2']);
  });

  it('agrees with brute force on every 4-task DAG and duration choice', () => {
    const ids = ['d', 'b', 'c', 'a']; // topological position differs from id order on purpose
    const pairs: [number, number][] = [];
    for (let j = 1; j < 4; j += 1) for (let i = 0; i < j; i += 1) pairs.push([i, j]);
    let checked = 0;
    for (let edges = 0; edges < 1 << pairs.length; edges += 1) {
      for (let weights = 0; weights < 81; weights += 1) {
        const nodes = ids.map((id, k) => ({
          id,
          duration: Math.floor(weights / 3 ** k) % 3,
          depends_on: pairs.filter(([, j], e) => j === k && (edges >> e) & 1).map(([i]) => ids[i] as string),
        }));
        expect(criticalPath(nodes)).toEqual(bruteForce(nodes));
        checked += 1;
      }
    }
    expect(checked).toBe(64 * 81);
  });

  it('refuses cycles, unknown dependencies, duplicate ids and bad durations', () => {
    expect(thrownCode(() => criticalPath([node('a', 1, 'b'), node('b', 1, 'a'), node('c', 1)]))).toBe('CYCLE_DETECTED');
    expect(thrownCode(() => criticalPath([node('a', 1, 'a')]))).toBe('CYCLE_DETECTED');
    expect(thrownCode(() => criticalPath([node('a', 1, 'ghost')]))).toBe('INVALID_INPUT');
    expect(thrownCode(() => criticalPath([node('a', 1), node('a', 2)]))).toBe('INVALID_INPUT');
    expect(thrownCode(() => criticalPath([node('a', -1)]))).toBe('INVALID_INPUT');
    expect(thrownCode(() => criticalPath([node('a', Number.POSITIVE_INFINITY)]))).toBe('INVALID_INPUT');
  });

  it('measures the work still to do, leaving finished tasks out', () => {
    const tasks = [
      { id: 'plan', status: 'done' as const, depends_on: [] },
      { id: 'build', status: 'in_progress' as const, depends_on: ['plan'] },
      { id: 'docs', status: 'ready' as const, depends_on: ['plan'] },
      { id: 'test', status: 'blocked' as const, depends_on: ['build'] },
      { id: 'ship', status: 'blocked' as const, depends_on: ['test', 'docs'] },
    ];
    expect(remainingCriticalPath(tasks)).toEqual({ path: ['build', 'test', 'ship'], duration: 3 });
    expect(remainingCriticalPath(tasks, (t) => (t.id === 'docs' ? 10 : 1))).toEqual({ path: ['docs', 'ship'], duration: 11 });
  });
});
