/** One task of the demo DAG; `after` names the keys it depends on. */
export interface DemoTask {
  key: string;
  title: string;
  role: string | null;
  priority: number;
  after: string[];
  /** The artifact the task's holder publishes as its evidence, if any. */
  publishes?: { name: string; mediaType: string };
  /** An artifact the holder reads before working (it exists once the dependency is done). */
  reads?: string;
}

/** One teammate the demo lead spawns. */
export interface DemoTeammate {
  name: string;
  role: string;
}

/** The demo's pace: simulated work per task (ms, from..to) and how often the view and idle teammates look. */
export const DEMO_PACE = { workMs: [800, 2_500] as [number, number], refreshMs: 250 } as const;
/** The pace of `codex-team demo --fast`. */
export const DEMO_FAST_PACE = { workMs: [100, 400] as [number, number], refreshMs: 100 } as const;

export const DEMO_OBJECTIVE = 'Ship a small URL-shortener service: API, storage, tests, review, release';

/**
 * The demo's DAG: 12 tasks in five waves, so several teammates work at once, some wait on
 * dependencies, and the roles decide who may take what.
 */
export const DEMO_TASKS: readonly DemoTask[] = [
  { key: 'spec', title: 'Write the API spec', role: null, priority: 9, after: [], publishes: { name: 'api-spec.md', mediaType: 'text/markdown' } },
  { key: 'schema', title: 'Design the storage schema', role: null, priority: 8, after: ['spec'], reads: 'api-spec.md', publishes: { name: 'schema.sql', mediaType: 'text/plain' } },
  { key: 'codegen', title: 'Implement the short-code generator', role: 'implementer', priority: 6, after: ['spec'], reads: 'api-spec.md' },
  { key: 'create', title: 'Implement POST /links', role: 'implementer', priority: 7, after: ['spec', 'schema'], reads: 'api-spec.md' },
  { key: 'resolve', title: 'Implement GET /:code redirect', role: 'implementer', priority: 7, after: ['spec', 'schema'], reads: 'api-spec.md' },
  { key: 'storage', title: 'Implement the storage adapter', role: 'implementer', priority: 6, after: ['schema'], reads: 'schema.sql' },
  { key: 'unit-tests', title: 'Unit-test the code generator', role: 'tester', priority: 5, after: ['codegen'] },
  { key: 'api-tests', title: 'API tests for create and redirect', role: 'tester', priority: 5, after: ['create', 'resolve', 'storage'], publishes: { name: 'test-report.txt', mediaType: 'text/plain' } },
  { key: 'load', title: 'Load-test the redirect path', role: 'tester', priority: 4, after: ['resolve', 'storage'] },
  { key: 'review', title: 'Review the API implementation', role: 'reviewer', priority: 5, after: ['create', 'resolve'], publishes: { name: 'review.md', mediaType: 'text/markdown' } },
  { key: 'docs', title: 'Write the README and usage docs', role: null, priority: 3, after: ['create'], reads: 'api-spec.md' },
  { key: 'release', title: 'Release checklist', role: 'reviewer', priority: 2, after: ['api-tests', 'load', 'review', 'unit-tests', 'docs'] },
];

/** The default roster: two implementers, a tester and a reviewer (4 of the 6 threads). */
export const DEMO_TEAMMATES: readonly DemoTeammate[] = [
  { name: 'ada', role: 'implementer' },
  { name: 'linus', role: 'implementer' },
  { name: 'grace', role: 'tester' },
  { name: 'barbara', role: 'reviewer' },
];

/** The plan entry of a task, found by its title (teammates see tasks, not keys). */
export function demoTaskByTitle(title: string): DemoTask | undefined {
  return DEMO_TASKS.find((task) => task.title === title);
}
