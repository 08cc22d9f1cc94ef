import { ProfileCatalog } from '@codex-team/policy-engine';
import { childOutcome, rollUpRuling } from './roll-up';
import fc from 'fast-check';
import { carveRuling, depthRuling, teamBudget, threadSlotRuling, treeThreadCap } from './tree-limits';
import { childLine, leadHealth, treeLines, type TreeNode } from './tree-view';

const shipped = ProfileCatalog.shipped();
const DEFAULT = shipped.find('default').profile;
const FAST = shipped.find('fast').profile;
const counts = (over: Partial<Record<'blocked' | 'ready' | 'in_progress' | 'done' | 'failed' | 'cancelled', number>> = {}) => ({
  blocked: 0,
  ready: 0,
  in_progress: 0,
  done: 0,
  failed: 0,
  cancelled: 0,
  ...over,
});

describe('depthRuling', () => {
  it('allows children down to hierarchy.max_depth and refuses the level below', () => {
    expect(depthRuling(DEFAULT, 1).decision).toBe('allow');
    expect(depthRuling(DEFAULT, 2)).toMatchObject({ decision: 'deny', code: 'LIMIT_EXCEEDED', rule: 'hierarchy.max_depth' });
    expect(depthRuling(FAST, 1)).toMatchObject({ decision: 'deny' });
    expect(depthRuling({ ...DEFAULT, hierarchy: { ...DEFAULT.hierarchy, max_depth: 3 } }, 2).decision).toBe('allow');
  });
});

describe('treeThreadCap', () => {
  const lone = { teamUsed: 2, treeUsed: 2, treeLimit: 3, treeLimitReason: 'team max_threads allows 3 teammates at once', isRoot: true };

  it("leaves a lone root to its own limits, Codex's cap as it is", () => {
    expect(treeThreadCap(lone)).toBeUndefined();
    expect(treeThreadCap(lone, { teammates: 3, from: 'v2' })).toEqual({ teammates: 3, from: "Codex's thread cap (v2)" });
  });

  it("takes the threads of the tree's other teams off the tree's cap and off Codex's, the tighter one winning", () => {
    const child = { ...lone, teamUsed: 0, treeUsed: 2, isRoot: false };
    expect(treeThreadCap(child)).toEqual({ teammates: 1, from: "the tree's cap (team max_threads allows 3 teammates at once) less 2 threads of the tree's other teams" });
    expect(treeThreadCap(child, { teammates: 2, from: 'v2' })).toEqual({ teammates: 0, from: "Codex's thread cap (v2) less 2 threads of the tree's other teams" });
    expect(treeThreadCap({ ...child, treeUsed: 5 })?.teammates).toBe(0);
  });

  it('never leaves room for a spawn that threadSlotRuling refuses (any team of any tree)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        fc.boolean(),
        (teamUsed, othersUsed, treeLimit, codex, isRoot) => {
          const facts = { teamUsed, treeUsed: teamUsed + othersUsed, treeLimit: Math.min(treeLimit, codex ?? 6), treeLimitReason: 'cap', isRoot: isRoot && othersUsed === 0 };
          const cap = treeThreadCap(facts, codex === undefined ? undefined : { teammates: codex, from: 'codex' });
          // The hints also hold the team to its own limit (staffingHints): a root's is the tree's; a child's, up to 6 here.
          const own = facts.isRoot ? facts.treeLimit : 6;
          const room = Math.max(0, Math.min(cap?.teammates ?? own, own) - teamUsed);
          for (let spawned = 0; spawned < room; spawned += 1) {
            const ruling = threadSlotRuling({
              teamName: 't',
              teamUsed: teamUsed + spawned,
              teamLimit: own,
              teamLimitReason: 'cap',
              maxThreads: own,
              treeUsed: facts.treeUsed + spawned,
              treeLimit: facts.treeLimit,
              treeLimitReason: 'cap',
              rootName: 'root',
            });
            if (ruling.decision !== 'allow') return false;
          }
          return true;
        },
      ),
    );
  });
});

describe('threadSlotRuling', () => {
  const facts = {
    teamName: 't',
    teamUsed: 1,
    teamLimit: 3,
    teamLimitReason: 'team max_threads allows 3 teammates at once',
    maxThreads: 3,
    treeUsed: 2,
    treeLimit: 3,
    treeLimitReason: 'team max_threads allows 3 teammates at once',
    rootName: 'root',
  };

  it("refuses by the team's own limit first, with the refusal a team without children always gave", () => {
    expect(threadSlotRuling({ ...facts, teamUsed: 3, treeUsed: 3 })).toMatchObject({ rule: 'threads.max_threads', details: { max_threads: 3, thread_cap: 3, used: 3 } });
  });

  it("then by the tree's, which counts every team at once", () => {
    expect(threadSlotRuling({ ...facts, treeUsed: 3 })).toMatchObject({ decision: 'deny', code: 'LIMIT_EXCEEDED', rule: 'hierarchy.tree_threads' });
    expect(threadSlotRuling(facts).decision).toBe('allow');
    // A child's own lead holds a slot of the tree only.
    expect(threadSlotRuling({ ...facts, teamUsed: -1, treeUsed: 2 }).decision).toBe('allow');
  });
});

describe('teamBudget and carveRuling', () => {
  const broke = { ...DEFAULT, budget: { soft_tokens: 50, hard_tokens: 100 } };

  it("holds a child to its carve (soft line scaled alike) and a parent to its budget with its children's carves set aside", () => {
    const child = teamBudget(broke, { budgetTokens: 40, usedTokens: 10, rolledUpTokens: 0, reservedTokens: 0 });
    expect(child.profile.budget).toEqual({ soft_tokens: 20, hard_tokens: 40 });
    expect([child.committedTokens, child.leftTokens]).toEqual([10, 30]);
    const parent = teamBudget(broke, { budgetTokens: null, usedTokens: 10, rolledUpTokens: 15, reservedTokens: 40 });
    expect(parent.profile).toBe(broke);
    expect([parent.committedTokens, parent.leftTokens]).toEqual([65, 35]);
  });

  it('carves half of what is left by default, and refuses more than is left', () => {
    const parent = teamBudget(broke, { budgetTokens: null, usedTokens: 20, rolledUpTokens: 0, reservedTokens: 0 });
    expect(carveRuling(parent, undefined)).toMatchObject({ decision: 'allow', tokens: 40 });
    expect(carveRuling(parent, 80)).toMatchObject({ decision: 'allow', tokens: 80 });
    expect(carveRuling(parent, 81)).toMatchObject({ decision: 'deny', code: 'LIMIT_EXCEEDED', rule: 'hierarchy.budget' });
    const spent = teamBudget(broke, { budgetTokens: null, usedTokens: 100, rolledUpTokens: 0, reservedTokens: 0 });
    expect(carveRuling(spent, undefined)).toMatchObject({ decision: 'deny' });
  });
});

describe('roll-up', () => {
  it('calls a child done only when it finished its own work, cancelled when an ancestor stopped it', () => {
    expect(childOutcome({ closedBy: 'lead', cancelledOpen: 0, tasksByStatus: counts({ done: 2, cancelled: 1 }) }).outcome).toBe('done');
    expect(childOutcome({ closedBy: 'lead', cancelledOpen: 1, tasksByStatus: counts({ done: 2, cancelled: 1 }) }).outcome).toBe('failed');
    expect(childOutcome({ closedBy: 'lead', cancelledOpen: 0, tasksByStatus: counts({ done: 2, failed: 1 }) }).outcome).toBe('failed');
    expect(childOutcome({ closedBy: 'lead', cancelledOpen: 0, tasksByStatus: counts({ cancelled: 1 }) }).outcome).toBe('failed');
    expect(childOutcome({ closedBy: 'ancestor', cancelledOpen: 1, tasksByStatus: counts({ cancelled: 1 }) }).outcome).toBe('cancelled');
    expect(childOutcome({ closedBy: 'ancestor', cancelledOpen: 0, tasksByStatus: counts({ done: 1 }) }).outcome).toBe('done');
    expect(childOutcome({ closedBy: 'sweep', cancelledOpen: 0, tasksByStatus: counts({ done: 1 }) }).outcome).toBe('failed');
  });

  it('calls a child the operator cancelled cancelled, whatever it finished', () => {
    expect(childOutcome({ closedBy: 'operator_cancel', cancelledOpen: 0, tasksByStatus: counts({ done: 3 }) }).outcome).toBe('cancelled');
    expect(childOutcome({ closedBy: 'operator_cancel', cancelledOpen: 2, tasksByStatus: counts({ cancelled: 2 }) }).outcome).toBe('cancelled');
  });

  it("fails or returns a failed child's tasks as the parent's profile says", () => {
    const child = { name: 'c', outcome: 'failed' as const, reason: 'r' };
    expect(rollUpRuling(DEFAULT, child)).toMatchObject({ status: 'ready', rule: 'hierarchy.on_child_failure' });
    expect(rollUpRuling(FAST, child)).toMatchObject({ status: 'failed', rule: 'hierarchy.on_child_failure' });
    expect(rollUpRuling(FAST, { ...child, outcome: 'done' })).toMatchObject({ status: 'done', rule: 'hierarchy.roll_up' });
  });
});

describe('tree lines', () => {
  const node = (id: string, parent: string | null, extra: Partial<TreeNode> = {}): TreeNode => ({
    id,
    name: id,
    state: 'active',
    parentTeamId: parent,
    depth: parent === null ? 0 : 1,
    lead: { name: 'lee', state: 'active', playedBy: null },
    tasksByStatus: counts({ done: 1, ready: 1 }),
    teammates: 2,
    usedTokens: 100,
    budgetTokens: parent === null ? null : 500,
    rolledUpTokens: 0,
    outcome: null,
    ...extra,
  });

  it("shows a child's progress, budget and health in one line", () => {
    expect(childLine(node('c', 'r'))).toBe('c c: 1/2 done, 0 in progress, 0 failed; budget 100/500 tokens; lead lee active, 2 teammates');
    expect(leadHealth(node('c', 'r', { lead: { name: 'lee', state: 'disconnected', playedBy: null } }))).toMatch(/^LEAD LOST/);
    expect(leadHealth(node('c', 'r', { lead: { name: 'lee', state: 'disconnected', playedBy: 'boss' } }))).toBe('lead played by boss');
    expect(leadHealth(node('c', 'r', { state: 'finalized', outcome: 'done' }))).toBe('finalized (done)');
  });

  it('indents every team under its parent', () => {
    const lines = treeLines([node('r', null), node('a', 'r'), node('aa', 'a'), node('b', 'r')]);
    expect(lines.map((line) => line.split(':')[0])).toEqual(['r r', '  a a', '    aa aa', '  b b']);
  });
});
