import type { AgentCaps, Profile, ReviewVerdict, RiskTier } from '@codex-team/contracts';
import type { HookRun } from './hook-run';

/** An artifact a completion names as evidence, as the store resolved it in the team. */
export interface EvidenceArtifact {
  id: string;
  name: string;
  plan: boolean;
  tests: boolean;
}

/** One agent's current vote on the claim being completed. */
export interface ClaimReview {
  reviewerAgentId: string;
  reviewerName: string;
  verdict: ReviewVerdict;
}

/** What the quality gates of a completion decide on, read inside the completion's transaction. */
export interface CompletionFacts {
  profile: Profile;
  taskId: string;
  risk: RiskTier;
  holderAgentId: string;
  outcome: 'done' | 'failed';
  /** The artifacts named in artifact_ids (all of this team: unknown ids were refused already). */
  evidence: readonly EvidenceArtifact[];
  /** Votes on the current claim (its fence). */
  reviews: readonly ClaimReview[];
}

/** A built-in gate that checked something, with its verdict. */
function builtin(rule: string, blocked: boolean, reason: string): HookRun {
  return {
    hook: `builtin:${rule}`,
    kind: 'builtin',
    decision: blocked ? 'block' : 'allow',
    reason,
    failure: null,
    additionalContext: null,
    durationMs: 0,
    exitStatus: null,
    outputSha256: null,
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The profile's quality rule for the task's risk tier, as built-in gates of a completion: evidence
 * that resolves (artifacts of this team that are not plans), test evidence (an artifact published
 * with tests=true) and `required_reviews` approvals of the current claim by agents other than the
 * holder, one vote each. Only the rules the tier asks for run; a `failed` outcome needs none of
 * them (a failure needs no proof of quality). Each blocked gate says exactly what is missing. Pure.
 */
export function completionGates(facts: CompletionFacts): HookRun[] {
  if (facts.outcome !== 'done') return [];
  const { risk, profile } = facts;
  const rule = profile.quality[risk];
  const where = `risk ${risk} under profile ${profile.name}`;
  const runs: HookRun[] = [];
  if (rule.require_evidence) {
    const evidence = facts.evidence.filter((artifact) => !artifact.plan);
    const plans = facts.evidence.length - evidence.length;
    runs.push(
      builtin(
        `quality.${risk}.require_evidence`,
        evidence.length === 0,
        evidence.length > 0
          ? `evidence ${evidence.map((a) => a.id).join(', ')}`
          : `${where} needs evidence: publish what you did (team_artifact_publish) and pass its id in artifact_ids` +
              (plans > 0 ? ` (the ${plural(plans, 'plan')} given ${plans === 1 ? 'is' : 'are'} not evidence)` : ' (none given)'),
      ),
    );
  }
  if (rule.require_tests) {
    const tests = facts.evidence.filter((artifact) => artifact.tests);
    runs.push(
      builtin(
        `quality.${risk}.require_tests`,
        tests.length === 0,
        tests.length > 0
          ? `test evidence ${tests.map((a) => a.id).join(', ')}`
          : `${where} needs test evidence: publish the test run with team_artifact_publish tests=true and pass its id in artifact_ids`,
      ),
    );
  }
  if (rule.required_reviews > 0) {
    // One vote per agent and claim (the store keeps the latest); the holder's own never counts.
    const approvers = [...new Set(facts.reviews.filter((r) => r.verdict === 'approve' && r.reviewerAgentId !== facts.holderAgentId).map((r) => r.reviewerName))].sort();
    const rejecters = facts.reviews.filter((r) => r.verdict === 'reject').map((r) => r.reviewerName).sort();
    const missing = rule.required_reviews - approvers.length;
    const so = approvers.length === 0 ? 'none so far' : `approved by ${approvers.join(', ')}`;
    const against = rejecters.length === 0 ? '' : `; changes asked by ${rejecters.join(', ')}`;
    runs.push(
      builtin(
        `quality.${risk}.required_reviews`,
        missing > 0,
        missing > 0
          ? `${where} needs ${plural(rule.required_reviews, 'approving review')} of task ${facts.taskId} by agents other than its holder ` +
              `(team_task_update review=approve), ${plural(missing, 'more')} missing: ${so}${against}`
          : `${plural(approvers.length, 'approval')}: ${approvers.join(', ')}`,
      ),
    );
  }
  return runs;
}

/** What an agent has taken on so far, read inside the claim's transaction. */
export interface AgentLoad {
  agentName: string;
  claims: number;
  /** Usage samples the agent reported (one per model turn). */
  turns: number;
  /** Since it joined; null for an agent never bound. */
  wallTimeMs: number | null;
}

/**
 * The profile's per-agent caps as built-in gates of a claim: past a cap, the agent takes no new
 * work. Without `caps` nothing runs. Pure.
 */
export function claimCapGates(profileName: string, caps: AgentCaps | undefined, load: AgentLoad): HookRun[] {
  if (caps === undefined) return [];
  const runs: HookRun[] = [];
  const capped = (what: string, used: number, cap: number, unit: string): HookRun =>
    builtin(
      `caps.${what}`,
      used >= cap,
      used >= cap
        ? `agent ${load.agentName} reached its cap of ${cap} ${unit} (profile ${profileName}, caps.${what}: ${used} used); ` +
            'it takes no more work: report to the lead and stop'
        : `${used} of ${cap} ${unit}`,
    );
  if (caps.claims !== undefined) runs.push(capped('claims', load.claims, caps.claims, 'claims'));
  if (caps.turns !== undefined) runs.push(capped('turns', load.turns, caps.turns, 'turns'));
  if (caps.wall_time_ms !== undefined) runs.push(capped('wall_time_ms', load.wallTimeMs ?? 0, caps.wall_time_ms, 'ms of wall time'));
  return runs;
}
