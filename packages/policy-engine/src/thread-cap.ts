import { LIMITS, TeamError, type Profile } from '@codex-team/contracts';

/**
 * Codex's own limit on the teammates a lead may run at once, as the server was told it (by
 * `codex-team install`, from the user's Codex config): `teammates` is what Codex lets the root
 * spawn (its cap minus the root where the cap counts the root), `from` says which setting gave it.
 */
export interface CodexThreadCap {
  teammates: number;
  /** e.g. `multi-agent v2 max_concurrent_threads_per_session 4, lead included`. */
  from: string;
}

/** Which limit set a team's thread cap. Ties name the outermost one (Codex, then profile, then team). */
export type ThreadCapBinding = 'codex' | 'profile' | 'team' | 'absolute';

export interface ThreadCapPart {
  binding: ThreadCapBinding;
  limit: number;
  /** Where the limit comes from, for reasons and refusals. */
  from: string;
}

export interface EffectiveThreadCap {
  /** The most teammates (lead excluded) the team may hold at once. */
  cap: number;
  /** The limit that set `cap`. */
  binding: ThreadCapBinding;
  /** Every limit considered, outermost first. */
  parts: ThreadCapPart[];
  /** One sentence naming the binding limit and where it came from. */
  reason: string;
}

export interface ThreadCapInput {
  profile: Pick<Profile, 'name' | 'threads'>;
  /** The team's max_threads. */
  maxThreads: number;
  /** Codex's cap, when the server knows it; undefined: not known (e.g. a store reader). */
  codex?: CodexThreadCap | undefined;
}

function checkLimit(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new TeamError('INVALID_INPUT', `${what} must be a non-negative whole number, got ${n}`);
  }
  return n;
}

/**
 * The team's thread cap: min(Codex's cap, the profile's threads.hard_cap, the team's max_threads,
 * the absolute limit of 6), with which of them binds and why. Pure. On a tie the outermost limit
 * is named: a lead refused by Codex's cap learns that raising max_threads would not help.
 * Throws TeamError `INVALID_INPUT` on a negative or fractional limit.
 */
export function effectiveThreadCap(input: ThreadCapInput): EffectiveThreadCap {
  const parts: ThreadCapPart[] = [];
  if (input.codex !== undefined) {
    parts.push({ binding: 'codex', limit: checkLimit('codex teammates', input.codex.teammates), from: "Codex's thread cap" });
  }
  parts.push(
    { binding: 'profile', limit: checkLimit('threads.hard_cap', input.profile.threads.hard_cap), from: `profile ${input.profile.name} threads.hard_cap` },
    { binding: 'team', limit: checkLimit('max_threads', input.maxThreads), from: 'team max_threads' },
    { binding: 'absolute', limit: LIMITS.maxThreadsHardCap, from: 'the absolute limit' },
  );
  let bound = parts[0] as ThreadCapPart;
  for (const part of parts) if (part.limit < bound.limit) bound = part;
  return {
    cap: bound.limit,
    binding: bound.binding,
    parts,
    reason:
      `${bound.from} allows ${bound.limit} teammate${bound.limit === 1 ? '' : 's'} at once` +
      (bound.binding === 'codex' && input.codex !== undefined ? ` (${input.codex.from})` : ''),
  };
}
