import { DEMO_TASKS } from '../../demo/demo-plan';

const MINUTE = 60_000;

/** One task of a simulated DAG: its true duration is known to the simulator, never to a policy. */
export interface SimTask {
  id: string;
  required_role: string | null;
  priority: number;
  depends_on: string[];
  duration_ms: number;
  /**
   * The lead's size estimate (whole minutes, in ms), as it would give `estimate_min` at
   * team_task_create: the true duration off by up to ESTIMATE_ERROR either way (withEstimates).
   * Absent: the task carries none.
   */
  estimate_ms?: number;
}

/**
 * How far off a lead's size estimates are in the simulated world: each is the true duration times
 * a factor drawn uniformly from [1 - e, 1 + e], rounded to whole minutes (at least one), as
 * `estimate_min` takes them. Chosen, not measured (no data on real leads' estimates yet): a rough
 * guess of minutes of work, neither exact nor blind.
 */
export const ESTIMATE_ERROR = 0.3;

/** The tasks with an estimate each (see SimTask.estimate_ms), drawn from `random` in task order. */
export function withEstimates(tasks: readonly SimTask[], random: () => number, error = ESTIMATE_ERROR): SimTask[] {
  return tasks.map((task) => {
    const factor = 1 - error + 2 * error * random();
    return { ...task, estimate_ms: Math.max(1, Math.round((task.duration_ms * factor) / MINUTE)) * MINUTE };
  });
}

/** One DAG shape of the eval set: how to build an instance from a seeded random source. */
export interface EvalShape {
  name: string;
  /** A pure chain: no two tasks can ever run at once. */
  chain: boolean;
  /** The thread cap the team runs under (Codex v2's default is 3 teammates, v1's max_threads 6). */
  cap: number;
  build(random: () => number): SimTask[];
}


/** Builds tasks with ids t001, t002... in creation order. */
class DagBuilder {
  readonly tasks: SimTask[] = [];
  constructor(private readonly random: () => number) {}

  /** A uniform duration between `lo` and `hi` minutes. */
  minutes(lo: number, hi: number): number {
    return Math.round((lo + (hi - lo) * this.random()) * MINUTE);
  }

  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  /** `count` distinct picks from `from` (fewer when it is shorter). */
  pick<T>(from: readonly T[], count: number): T[] {
    const left = [...from];
    const out: T[] = [];
    while (out.length < count && left.length > 0) out.push(left.splice(Math.floor(this.random() * left.length), 1)[0] as T);
    return out;
  }

  add(depends_on: readonly string[], duration_ms: number, required_role: string | null = null, priority = 0): string {
    const id = `t${String(this.tasks.length + 1).padStart(3, '0')}`;
    this.tasks.push({ id, required_role, priority, depends_on: [...depends_on], duration_ms });
    return id;
  }

  chain(length: number, from: readonly string[], duration: () => number, role: (i: number) => string | null = () => null): string[] {
    const ids: string[] = [];
    let before = [...from];
    for (let i = 0; i < length; i += 1) {
      const id = this.add(before, duration(), role(i));
      ids.push(id);
      before = [id];
    }
    return ids;
  }

  /** Layers of the given widths; each task depends on 1..maxDeps random tasks of the layer before. */
  layers(widths: readonly number[], maxDeps: number, duration: () => number, role: () => string | null = () => null): string[][] {
    const out: string[][] = [];
    for (const width of widths) {
      const before = out[out.length - 1] ?? [];
      const layer: string[] = [];
      for (let i = 0; i < width; i += 1) {
        const deps = before.length === 0 ? [] : this.pick(before, this.int(1, Math.min(maxDeps, before.length)));
        layer.push(this.add(deps, duration(), role(), this.int(0, 3)));
      }
      out.push(layer);
    }
    return out;
  }
}

function shape(name: string, cap: number, build: (dag: DagBuilder) => void, chain = false): EvalShape {
  return {
    name,
    chain,
    cap,
    build(random) {
      const dag = new DagBuilder(random);
      build(dag);
      return dag.tasks;
    },
  };
}

/** Role durations of the demo-like DAGs, in minutes. */
const ROLE_MINUTES: Readonly<Record<string, [number, number]>> = {
  implementer: [8, 20],
  tester: [5, 12],
  reviewer: [3, 8],
  planner: [5, 10],
  researcher: [6, 15],
};

function roleMinutes(dag: DagBuilder, role: string | null): number {
  const [lo, hi] = ROLE_MINUTES[role ?? 'implementer'] ?? [5, 15];
  return dag.minutes(lo, hi);
}

/** The demo's DAG (packages/cli/src/demo): its roles, priorities and dependencies; durations by role. */
function demoDag(dag: DagBuilder): void {
  const idOf = new Map<string, string>();
  for (const task of DEMO_TASKS) {
    const id = dag.add(task.after.map((key) => idOf.get(key) as string), roleMinutes(dag, task.role), task.role, task.priority);
    idOf.set(task.key, id);
  }
}

/**
 * The eval set: 25 DAG shapes, from pure chains to wide fan-outs, each with the cap its team runs
 * under. Durations are drawn from the seeded source, so a seed fixes the instance.
 */
export const EVAL_SHAPES: readonly EvalShape[] = [
  shape('chain-8', 3, (d) => void d.chain(8, [], () => d.minutes(5, 15)), true),
  shape('chain-20', 6, (d) => void d.chain(20, [], () => d.minutes(3, 10)), true),
  shape('chain-roles-9', 3, (d) => void d.chain(9, [], () => d.minutes(4, 12), (i) => ['implementer', 'tester', 'reviewer'][i % 3] ?? null), true),
  shape('fanout-12', 3, (d) => {
    const root = d.add([], d.minutes(3, 8));
    for (let i = 0; i < 12; i += 1) d.add([root], d.minutes(4, 12), null, d.int(0, 3));
  }),
  shape('independent-30', 6, (d) => {
    for (let i = 0; i < 30; i += 1) d.add([], d.minutes(2, 15), null, d.int(0, 5));
  }),
  shape('fork-join-8', 3, (d) => {
    const root = d.add([], d.minutes(5, 10));
    const mid = Array.from({ length: 8 }, () => d.add([root], d.minutes(4, 16)));
    d.add(mid, d.minutes(5, 10));
  }),
  shape('fork-join-3x6', 3, (d) => {
    let join = d.add([], d.minutes(3, 8));
    for (let stage = 0; stage < 3; stage += 1) {
      const mid = Array.from({ length: 6 }, () => d.add([join], d.minutes(4, 14)));
      join = d.add(mid, d.minutes(3, 8));
    }
  }),
  shape('diamond', 3, (d) => {
    const a = d.add([], d.minutes(5, 10));
    const b = d.add([a], d.minutes(5, 20));
    const c = d.add([a], d.minutes(5, 20));
    d.add([b, c], d.minutes(5, 10));
  }),
  shape('diamond-series-5', 3, (d) => {
    let top = d.add([], d.minutes(3, 8));
    for (let i = 0; i < 5; i += 1) {
      const b = d.add([top], d.minutes(5, 15));
      const c = d.add([top], d.minutes(5, 15));
      top = d.add([b, c], d.minutes(3, 8));
    }
  }),
  shape('diamond-wide-5', 6, (d) => {
    const a = d.add([], d.minutes(5, 10));
    const mid = Array.from({ length: 5 }, () => d.add([a], d.minutes(8, 20)));
    d.add(mid, d.minutes(5, 10));
  }),
  shape('layered-4x5', 3, (d) => void d.layers([5, 5, 5, 5], 3, () => d.minutes(4, 14))),
  shape('layered-6x8', 6, (d) => void d.layers([8, 8, 8, 8, 8, 8], 3, () => d.minutes(4, 14))),
  shape('layered-varying', 3, (d) => void d.layers([1, 6, 2, 8, 1, 4], 2, () => d.minutes(4, 14))),
  shape('two-critical-paths', 3, (d) => {
    d.chain(8, [], () => d.minutes(8, 14));
    d.chain(8, [], () => d.minutes(8, 14));
    for (let i = 0; i < 6; i += 1) d.add([], d.minutes(2, 5), null, d.int(0, 5));
  }),
  shape('two-chains-join', 6, (d) => {
    const a = d.chain(10, [], () => d.minutes(5, 12));
    const b = d.chain(10, [], () => d.minutes(5, 12));
    for (let i = 0; i < 10; i += 1) d.add([], d.minutes(3, 8), null, d.int(0, 5));
    d.add([a[a.length - 1] as string, b[b.length - 1] as string], d.minutes(5, 10));
  }),
  shape('role-skewed-testers', 3, (d) => {
    const roles = (): string | null => (d.int(0, 3) === 0 ? 'implementer' : 'tester');
    d.layers([4, 6, 6, 4], 2, () => d.minutes(4, 12), roles);
  }),
  shape('review-bottleneck', 3, (d) => {
    const reviews: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const impl = d.add([], d.minutes(8, 18), 'implementer', d.int(0, 3));
      reviews.push(d.add([impl], d.minutes(4, 8), 'reviewer'));
    }
    d.add(reviews, d.minutes(3, 6), 'reviewer');
  }),
  shape('demo-cap3', 3, demoDag),
  shape('demo-cap6', 6, demoDag),
  shape('monorepo-feature', 3, (d) => {
    const plan = d.add([], d.minutes(5, 10), 'planner', 9);
    const impls = Array.from({ length: 4 }, () => d.add([plan], roleMinutes(d, 'implementer'), 'implementer', 5));
    const tests = impls.map((impl) => d.add([impl], roleMinutes(d, 'tester'), 'tester', 4));
    const integration = d.add(tests, d.minutes(8, 15), 'tester', 6);
    const review = d.add(impls, roleMinutes(d, 'reviewer'), 'reviewer', 3);
    d.add([integration, review], d.minutes(3, 6), 'implementer', 2);
  }),
  shape('research-then-build', 3, (d) => {
    const research = Array.from({ length: 3 }, () => d.add([], roleMinutes(d, 'researcher'), 'researcher'));
    const design = d.add(research, d.minutes(5, 10), null, 5);
    const builds = Array.from({ length: 6 }, () => d.add([design], roleMinutes(d, 'implementer'), null, d.int(0, 3)));
    d.add(builds, d.minutes(8, 15), 'tester');
  }),
  shape('long-task-and-small', 3, (d) => {
    d.add([], d.minutes(55, 65), null, 0);
    for (let i = 0; i < 15; i += 1) d.add([], d.minutes(3, 6), null, d.int(0, 5));
  }),
  shape('random-sparse-40', 6, (d) => {
    for (let i = 0; i < 40; i += 1) {
      const before = d.tasks.map((t) => t.id);
      const deps = before.length === 0 || d.int(0, 9) < 3 ? [] : d.pick(before.slice(-12), d.int(1, 2));
      d.add(deps, d.minutes(3, 12), null, d.int(0, 5));
    }
  }),
  shape('in-tree-16', 3, (d) => {
    let level = Array.from({ length: 16 }, () => d.add([], d.minutes(3, 10)));
    while (level.length > 1) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(d.add(level.slice(i, i + 2), d.minutes(3, 10)));
      level = next;
    }
  }),
  shape('out-tree-15', 3, (d) => {
    let level = [d.add([], d.minutes(3, 10))];
    for (let depth = 0; depth < 3; depth += 1) level = level.flatMap((id) => [d.add([id], d.minutes(3, 10)), d.add([id], d.minutes(3, 10))]);
  }),
];
