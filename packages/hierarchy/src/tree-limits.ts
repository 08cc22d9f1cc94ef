import { LIMITS, type Profile } from '@codex-team/contracts';
import type { PolicyRefusal, Ruling } from '@codex-team/policy-engine';

// The limits that hold across a whole team tree: depth, thread slots and the token budget. Each is a
// ruling over facts the store reads inside the transaction that applies it.

const allowed = (rule: string, reason: string, inputs: Readonly<Record<string, unknown>>): Extract<Ruling, { decision: 'allow' }> => ({
  decision: 'allow',
  rule,
  reason,
  inputs,
});

function refused(rule: string, inputs: Readonly<Record<string, unknown>>, code: PolicyRefusal['code'], message: string, details: Record<string, unknown>): PolicyRefusal {
  return { decision: 'deny', rule, reason: message, inputs, code, message, details };
}

/** How deep a tree under this profile may grow: hierarchy.max_depth, never past the hard cap. */
export function maxDepthOf(profile: Profile): number {
  return Math.min(profile.hierarchy.max_depth, LIMITS.maxTreeDepthHardCap);
}

/** Whether a team at `parentDepth` (the root is 0) may start a child: LIMIT_EXCEEDED past the depth. */
export function depthRuling(profile: Profile, parentDepth: number): Ruling {
  const limit = maxDepthOf(profile);
  const depth = parentDepth + 1;
  const inputs = { depth, max_depth: limit, profile: profile.name };
  if (depth <= limit) return allowed('hierarchy.max_depth', `a child at depth ${depth} of at most ${limit}`, inputs);
  return refused(
    'hierarchy.max_depth',
    inputs,
    'LIMIT_EXCEEDED',
    `a child team here would be ${depth} levels below the root; profile ${profile.name} allows ${limit} ` +
      `(hierarchy.max_depth, hard cap ${LIMITS.maxTreeDepthHardCap}): delegate to a team higher up, or do the work in this team`,
    { rule: 'hierarchy.max_depth', depth, max_depth: limit },
  );
}

/** The thread slots one transition needs: in its own team, and in the whole tree. */
export interface ThreadFacts {
  teamName: string;
  /** Teammate threads of the team itself (its lead excluded). */
  teamUsed: number;
  /** The team's thread cap: min(Codex's cap, the profile's hard cap, max_threads), policy-engine's threadCapOf. */
  teamLimit: number;
  /** Which limit set it, as threadCapOf says. */
  teamLimitReason: string;
  maxThreads: number;
  /** Threads of the whole tree: every invited or active agent but the root lead and the leads played by another agent. */
  treeUsed: number;
  /** The root team's cap: the cap of the whole tree (Codex's cap counts every thread of the root's session). */
  treeLimit: number;
  treeLimitReason: string;
  rootName: string;
}

/**
 * Whether one more teammate thread fits: the team's own limit first (the refusal a team without
 * children has always given), then the tree's, which counts every team of the tree at once. Pure.
 */
export function threadSlotRuling(facts: ThreadFacts): Ruling {
  const inputs = { team_used: facts.teamUsed, team_limit: facts.teamLimit, tree_used: facts.treeUsed, tree_limit: facts.treeLimit };
  if (facts.teamUsed >= facts.teamLimit) {
    return refused(
      'threads.max_threads',
      inputs,
      'LIMIT_EXCEEDED',
      `team ${facts.teamName} already has ${facts.teamUsed} of ${facts.teamLimit} teammate threads (${facts.teamLimitReason}); ` +
        'wait for one to finish or retire before adding another',
      { max_threads: facts.maxThreads, thread_cap: facts.teamLimit, used: facts.teamUsed },
    );
  }
  // A root without children counts the same threads twice: its own refusal above comes first.
  if (facts.treeUsed >= facts.treeLimit) {
    return refused(
      'hierarchy.tree_threads',
      inputs,
      'LIMIT_EXCEEDED',
      `the team tree of ${facts.rootName} already has ${facts.treeUsed} of ${facts.treeLimit} threads (${facts.treeLimitReason}; ` +
        'every team of the tree counts, its root lead excepted); wait for one to finish anywhere in the tree before adding another',
      { rule: 'hierarchy.tree_threads', thread_cap: facts.treeLimit, used: facts.treeUsed, tree: facts.rootName },
    );
  }
  return allowed('threads.max_threads', `${facts.teamUsed} of ${facts.teamLimit} in the team, ${facts.treeUsed} of ${facts.treeLimit} in the tree`, inputs);
}

/** A team's thread slots as its tree holds them, for its lead's staffing hints. */
export interface TreeThreads {
  /** Teammate threads of the team itself (its lead excluded), as threadSlotRuling counts them. */
  teamUsed: number;
  /** Threads of the whole tree, as threadSlotRuling counts them. */
  treeUsed: number;
  /** The root team's cap: the cap of the whole tree. */
  treeLimit: number;
  treeLimitReason: string;
  isRoot: boolean;
}

/** A cap on a team's teammate threads from outside the team, and what it is (for the hints' reasons). */
export interface OuterThreadCap {
  teammates: number;
  from: string;
}

/**
 * The most teammate threads a team may hold now, counting the threads its tree's other teams hold:
 * the tree's cap and Codex's (which counts every thread of the session's tree, so a child's room
 * under it is what the other teams leave), each less those threads; the tighter one, or undefined
 * when neither binds beyond the team's own limits (a root with no threads elsewhere, Codex unknown).
 * Staffing hints capped by it never recommend a spawn that threadSlotRuling would refuse. Pure.
 */
export function treeThreadCap(facts: TreeThreads, codex?: OuterThreadCap): OuterThreadCap | undefined {
  const others = facts.treeUsed - facts.teamUsed;
  const less = others === 0 ? '' : ` less ${others} threads of the tree's other teams`;
  const caps: OuterThreadCap[] = [];
  if (codex !== undefined) caps.push({ teammates: Math.max(0, codex.teammates - others), from: `Codex's thread cap (${codex.from})${less}` });
  if (others > 0 || !facts.isRoot) caps.push({ teammates: Math.max(0, facts.treeLimit - others), from: `the tree's cap (${facts.treeLimitReason})${less}` });
  return caps.reduce<OuterThreadCap | undefined>((tightest, cap) => (tightest === undefined || cap.teammates < tightest.teammates ? cap : tightest), undefined);
}

/** A team's own token figures, as stored. */
export interface BudgetFacts {
  /** A child team's carved budget; null for a root team (its profile's budget.hard_tokens). */
  budgetTokens: number | null;
  /** Tokens charged to the team itself. */
  usedTokens: number;
  /** Tokens its finished children used, charged when they finished. */
  rolledUpTokens: number;
  /** The carved budgets of its children still running: set aside until they finish. */
  reservedTokens: number;
}

/** The budget a team is held to: its profile, with a child's carved budget in place of the profile's. */
export interface TeamBudget {
  profile: Profile;
  /** What counts against it: used + rolled up + reserved. */
  committedTokens: number;
  /** What it may still carve or spend: hard budget minus committed, never negative. */
  leftTokens: number;
}

/**
 * The budget rules of one team of a tree. A child team runs under its parent's profile with its
 * carved budget as hard_tokens (soft_tokens scaled alike); a parent counts its children's carves as
 * spent until they finish, when the carve is refunded and what they really used is charged. Pure.
 */
export function teamBudget(profile: Profile, facts: BudgetFacts): TeamBudget {
  const { soft_tokens: soft, hard_tokens: hard } = profile.budget;
  const carved = facts.budgetTokens;
  const budget =
    carved === null ? profile.budget : { hard_tokens: carved, soft_tokens: hard === 0 ? 0 : Math.floor((carved * soft) / hard) };
  const committedTokens = facts.usedTokens + facts.rolledUpTokens + facts.reservedTokens;
  return {
    profile: carved === null ? profile : { ...profile, budget },
    committedTokens,
    leftTokens: Math.max(0, budget.hard_tokens - committedTokens),
  };
}

/**
 * The budget a new child gets: `requested`, or half of what the parent has left; refused
 * (LIMIT_EXCEEDED) when the parent has nothing left or less than requested. Pure.
 */
export function carveRuling(parent: TeamBudget, requested: number | undefined): Ruling & { tokens: number } {
  const tokens = requested ?? Math.floor(parent.leftTokens / 2);
  const inputs = { requested: requested ?? null, left_tokens: parent.leftTokens, committed_tokens: parent.committedTokens };
  if (tokens >= 1 && tokens <= parent.leftTokens) {
    return { ...allowed('hierarchy.budget', `carved ${tokens} of the ${parent.leftTokens} tokens left`, inputs), tokens };
  }
  return {
    ...refused(
      'hierarchy.budget',
      inputs,
      'LIMIT_EXCEEDED',
      `a child team needs a budget carved from what this team has left: ${parent.leftTokens} tokens ` +
        `(${parent.committedTokens} used or set aside for running children of ${parent.profile.budget.hard_tokens})` +
        (requested === undefined ? '' : `, less than the ${requested} asked`),
      { rule: 'hierarchy.budget', left_tokens: parent.leftTokens, requested: requested ?? null },
    ),
    tokens,
  };
}
