import fc from 'fast-check';
import { combineHookRuns, hookBlockError, type HookOutcome, type HookRun } from './hook-run';

function run(hook: string, decision: 'allow' | 'block', reason = decision === 'block' ? `${hook} says no` : 'allowed'): HookRun {
  return { hook, kind: 'command', decision, reason, failure: null, additionalContext: null, durationMs: 1, exitStatus: decision === 'block' ? 2 : 0, outputSha256: null };
}

type Combine = (runs: readonly HookRun[]) => HookOutcome;
const combine: Combine = (runs) => combineHookRuns('PreTaskComplete', runs);

/** A combination that lets the first verdict listed decide: what running hooks in a race amounts to. */
const firstWins: Combine = (runs) => {
  const first = runs[0];
  return { event: 'PreTaskComplete', decision: first?.decision ?? 'allow', reason: first?.decision === 'block' ? first.reason : '', runs: [...runs] };
};

const runsArbitrary = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.boolean()), { selector: ([hook]) => hook, maxLength: 8 }).map((entries) =>
  entries.map(([hook, blocks]) => run(hook, blocks ? 'block' : 'allow')),
);

/** A counterexample to "the answer does not depend on the order of the runs", or null. */
function orderDependence(candidate: Combine): string | null {
  const result = fc.check(
    fc.property(runsArbitrary, fc.func(fc.integer()), (runs, key) => {
      const shuffled = [...runs].sort((a, b) => key(a.hook) - key(b.hook));
      expect(candidate(shuffled)).toEqual(candidate(runs));
    }),
    { numRuns: 300, seed: 42 },
  );
  return result.failed ? JSON.stringify(result.counterexample?.[0]) : null;
}

describe('combining hook verdicts', () => {
  it('allows when no hook ran', () => {
    expect(combine([])).toEqual({ event: 'PreTaskComplete', decision: 'allow', reason: '', runs: [] });
  });

  it('allows when every hook allows', () => {
    expect(combine([run('a', 'allow'), run('b', 'allow')]).decision).toBe('allow');
  });

  it('blocks when any hook blocks: deny beats allow', () => {
    const outcome = combine([run('a', 'allow'), run('b', 'block'), run('c', 'allow')]);
    expect(outcome.decision).toBe('block');
    expect(outcome.reason).toBe('b: b says no');
  });

  it('names every blocking hook, in hook order', () => {
    expect(combine([run('z', 'block'), run('a', 'block')]).reason).toBe('a: a says no; z: z says no');
  });

  it('gives the same answer whatever order the runs finished in', () => {
    expect(orderDependence(combine)).toBeNull();
  });

  it('catches a combination where the first hook to answer decides (the race this rules out)', () => {
    expect(orderDependence(firstWins)).not.toBeNull();
  });

  it('answers a block as HOOK_BLOCKED carrying the block as typed data for the decision record', () => {
    const error = hookBlockError(combine([run('b', 'block'), run('a', 'allow'), run('c', 'block')]), 'tk_aaaaaaaa');
    expect(error.code).toBe('HOOK_BLOCKED');
    expect(error.message).toBe('HOOK_BLOCKED: PreTaskComplete blocked: b: b says no; c: c says no');
    expect(error.details).toEqual({ event: 'PreTaskComplete', hooks: ['b', 'c'], task_id: 'tk_aaaaaaaa' });
    expect(error.refusal).toMatchObject({ kind: 'hook', rule: 'hook:b', matched: ['hook:b', 'hook:c'] });
  });
});
