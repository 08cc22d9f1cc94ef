// release/evidence.md is written from one run's figures by a pure function; these runs are
// hand-made inputs to it (what tools/release-ready.cjs measures), never evidence themselves.

interface Step {
  stage: string;
  name: string;
  ok: boolean;
  status: number | string;
  seconds: number;
}

interface Goal {
  name: string;
  measured: number;
  comparator: 'at_least' | 'at_most';
  target: number;
  unit: string;
  met: boolean;
}

interface Finding {
  rule: string;
  failed: boolean;
  text: string;
}

interface Run {
  commit: string;
  dirty: boolean;
  stages: string[];
  skipped: string[];
  versions: Record<string, string>;
  machine: { cores: number; memGiB: number; loadStart: string; loadEnd: string; loadBench: string | null };
  finishedAt: string;
  seconds: number;
  steps: Step[];
  tests: { passed: number; failed: number; skipped: number } | null;
  gates: {
    wall_ms: number;
    decision: { verdict: 'pass' | 'fail'; rule: string; reason: string; findings: Finding[] };
    outcomes: { scenario: string; measures: { quality: { tasks_done_with_evidence: number; checks: Record<string, boolean> }; cost: Record<string, number> } }[];
  } | null;
  bench: { reports: { benchmark: string; goals: Goal[] }[]; leftOut: string[] } | null;
  drift: { changed: string[] } | null;
  packs: { name: string; version: string; size: number; unpackedSize: number; files: number }[];
  smoke: {
    sqlite: string;
    codexOnPath: string;
    steps: { command: string; ok: boolean; status: number; seconds: number }[];
    demo: { finalized: boolean; tasks_done: number; tasks_total: number; teammates: number; elapsed_ms: number } | null;
  } | null;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the script's own CommonJS module, typed to what is used
const evidence = require('./release-evidence.cjs') as {
  STAGES: string[];
  releaseProblems(run: Run): string[];
  releaseVerdict(run: Run): string;
  renderEvidence(run: Run): string;
};

const step = (stage: string, name: string, ok = true, seconds = 1.5): Step => ({ stage, name, ok, status: ok ? 0 : 1, seconds });

function passingRun(): Run {
  return {
    commit: 'c0ffee',
    dirty: false,
    stages: [...evidence.STAGES],
    skipped: [],
    versions: { node: '20.20.2', codex: '0.171.0' },
    machine: { cores: 2, memGiB: 24, loadStart: '3.10', loadEnd: '2.90', loadBench: '4.25' },
    finishedAt: '2026-12-06T19:00:00.000Z',
    seconds: 1234,
    steps: [
      step('build', 'npm run build'),
      step('suite', 'npm run verify', true, 901.2),
      step('gates', 'npm run gates'),
      step('bench', 'npm run bench'),
      step('docs', 'npm run generate'),
      step('pack', 'npm pack @codex-team/cli'),
    ],
    tests: { passed: 1717, failed: 0, skipped: 0 },
    gates: {
      wall_ms: 123456,
      decision: { verdict: 'pass', rule: 'gate.pass', reason: 'no quality drop, no cost rise', findings: [] },
      outcomes: [
        {
          scenario: 'clean-run',
          measures: {
            quality: { tasks_done_with_evidence: 4, checks: { cap: true, audit: true, replay: true } },
            cost: { model_tokens: 9876, tool_calls: 54, bytes_read: 32100, agent_time_ms: 4567.8, makespan_ratio: 1.37 },
          },
        },
      ],
    },
    bench: {
      reports: [{ benchmark: 'startup', goals: [{ name: 'cold start', measured: 210, comparator: 'at_most', target: 400, unit: 'ms', met: true }] }],
      leftOut: ['pg-claims: $CODEX_TEAM_PG_BENCH_URL is not set'],
    },
    drift: { changed: [] },
    packs: [{ name: '@codex-team/cli', version: '0.1.0', size: 894209, unpackedSize: 4611937, files: 463 }],
    smoke: {
      sqlite: 'was compiled from source',
      codexOnPath: "the checkout's codex 0.171.0",
      steps: [
        { command: 'install', ok: true, status: 0, seconds: 0.8 },
        { command: 'doctor', ok: true, status: 0, seconds: 2.3 },
        { command: 'demo --fast --json', ok: true, status: 0, seconds: 8.7 },
      ],
      demo: { finalized: true, tasks_done: 12, tasks_total: 12, teammates: 4, elapsed_ms: 7712 },
    },
  };
}

describe('release evidence', () => {
  it('calls a run READY only when every stage ran and nothing failed, and shows its figures', () => {
    const run = passingRun();
    const text = evidence.renderEvidence(run);
    expect(evidence.releaseProblems(run)).toEqual([]);
    expect(text).toContain('**READY**: every stage ran and passed.');
    expect(text).toContain('1717 passed, 0 failed');
    expect(text).toContain('| clean-run | 3/3 | 4 | 9876 | 54 | 32100 | 4568 | 1.37 |');
    expect(text).toContain('| startup | cold start | 210 ms | <= 400 | met |');
    expect(text).toContain('on a machine with load average 4.25 when the benchmarks began');
    expect(text).toContain('- pg-claims: $CODEX_TEAM_PG_BENCH_URL is not set');
    expect(text).toContain('| @codex-team/cli | 0.1.0 | 894209 | 4611937 | 463 |');
    expect(text).toContain('12/12 tasks done, team finalized, 4 teammates in their own processes, 7.7 s');
    expect(text).toContain('| suite | npm run verify | ok | 901.2 |');
  });

  it('names a missed bench goal with its figure and calls the run NOT READY', () => {
    const run = passingRun();
    run.bench?.reports[0]?.goals.push({ name: 'claims per second', measured: 180, comparator: 'at_least', target: 250, unit: 'claims/s', met: false });
    run.steps[3] = step('bench', 'npm run bench', false);
    const text = evidence.renderEvidence(run);
    expect(evidence.releaseVerdict(run)).toBe('NOT READY');
    expect(evidence.releaseProblems(run)).toEqual(['npm run bench: FAILED (exit 1)', 'bench goal missed: startup: claims per second: 180 claims/s (at_least 250)']);
    expect(text).toContain('| startup | claims per second | 180 claims/s | >= 250 | **MISSED** |');
    expect(text).toContain('1 of 2 goals met, 1 missed');
  });

  it('names failed tests, a gate that failed with its failed comparisons, drifted docs and an unfinished demo', () => {
    const run = passingRun();
    if (run.tests === null || run.gates === null || run.smoke?.demo == null) throw new Error('the passing run has every figure');
    run.tests.failed = 2;
    run.gates.decision = {
      verdict: 'fail',
      rule: 'cost.tolerance',
      reason: 'a cost rose above its tolerance',
      findings: [
        { rule: 'cost.tolerance', failed: true, text: 'clean-run: bytes_read 34148 > 32100 * 1.1 + 0' },
        { rule: 'quality.check', failed: false, text: 'clean-run: cap held' },
      ],
    };
    run.drift = { changed: ['docs/tools.md'] };
    run.smoke.demo.tasks_done = 11;
    run.smoke.demo.finalized = false;
    const text = evidence.renderEvidence(run);
    expect(evidence.releaseProblems(run)).toEqual([
      'suite: 2 tests failed',
      'gates: fail by rule cost.tolerance',
      'docs drift: docs/tools.md differ from the commit after npm run generate',
      "pack: the packed CLI's demo finished 11/12 tasks, finalized: false",
    ]);
    expect(text).toContain('Decision: **fail** by rule `cost.tolerance`');
    expect(text).toContain('- `cost.tolerance`: clean-run: bytes_read 34148 > 32100 * 1.1 + 0');
    expect(text).not.toContain('cap held');
  });

  it('counts a stage that ran but measured nothing as a failure, never as a pass', () => {
    const run = passingRun();
    run.tests = null;
    run.gates = null;
    run.bench = null;
    if (run.smoke !== null) run.smoke.demo = null;
    expect(evidence.releaseProblems(run)).toEqual([
      'suite: no Jest results to count',
      'gates: no report',
      'bench: no report',
      "pack: the packed CLI's demo gave no outcome",
    ]);
  });

  it('calls a run with skipped stages a PARTIAL RUN, never READY, and says which did not run', () => {
    const run = passingRun();
    run.stages = ['pack'];
    run.skipped = ['build', 'suite', 'gates', 'bench', 'docs'];
    run.steps = run.steps.filter((each) => each.stage === 'pack');
    const text = evidence.renderEvidence(run);
    expect(evidence.releaseProblems(run)).toEqual([]);
    expect(evidence.releaseVerdict(run)).toBe('PARTIAL RUN');
    expect(text).toContain('- not a release check: stages skipped: build, suite, gates, bench, docs');
    expect(text).toContain('| suite | (skipped) | not run | |');
    expect(text).not.toContain('1717');
  });
});
