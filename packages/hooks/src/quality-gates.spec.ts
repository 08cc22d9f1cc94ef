import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Profile, RiskTier } from '@codex-team/contracts';
import { parseProfile } from '@codex-team/policy-engine';
import { combineHookRuns } from './hook-run';
import { claimCapGates, completionGates, type ClaimReview, type CompletionFacts, type EvidenceArtifact } from './quality-gates';

const profilesDir = resolve(__dirname, '../../../profiles');
const shipped = (name: string): Profile => parseProfile(readFileSync(join(profilesDir, `${name}.yaml`), 'utf8'), `${name}.yaml`);
const DEFAULT = shipped('default');
const DEEP = shipped('deep');

const NOTES: EvidenceArtifact = { id: 'af_notes', name: 'notes', plan: false, tests: false };
const TESTS: EvidenceArtifact = { id: 'af_tests', name: 'test-run', plan: false, tests: true };
const PLAN: EvidenceArtifact = { id: 'af_plan', name: 'plan', plan: true, tests: false };
const vote = (reviewerAgentId: string, verdict: 'approve' | 'reject' = 'approve'): ClaimReview => ({ reviewerAgentId, reviewerName: reviewerAgentId.replace('ag_', ''), verdict });

function gates(profile: Profile, risk: RiskTier, over: Partial<CompletionFacts> = {}) {
  const runs = completionGates({ profile, taskId: 'tk_work', risk, holderAgentId: 'ag_holder', outcome: 'done', evidence: [], reviews: [], ...over });
  return { runs, outcome: combineHookRuns('PreTaskComplete', runs) };
}

describe('quality gates of a completion, by risk tier', () => {
  it('low risk under the default profile asks for nothing: today behaviour', () => {
    expect(gates(DEFAULT, 'low').runs).toEqual([]);
  });

  it('medium risk (default): evidence and one review, each blocking until given', () => {
    const none = gates(DEFAULT, 'medium');
    expect(none.runs.map((run) => [run.hook, run.decision])).toEqual([
      ['builtin:quality.medium.require_evidence', 'block'],
      ['builtin:quality.medium.required_reviews', 'block'],
    ]);
    expect(none.outcome.reason).toContain('needs evidence: publish what you did (team_artifact_publish) and pass its id in artifact_ids (none given)');
    expect(none.outcome.reason).toContain('needs 1 approving review of task tk_work by agents other than its holder (team_task_update review=approve), 1 more missing: none so far');
    expect(gates(DEFAULT, 'medium', { evidence: [NOTES] }).outcome.decision).toBe('block');
    expect(gates(DEFAULT, 'medium', { evidence: [NOTES], reviews: [vote('ag_rex')] }).outcome.decision).toBe('allow');
  });

  it('a plan is not evidence', () => {
    expect(gates(DEFAULT, 'medium', { evidence: [PLAN], reviews: [vote('ag_rex')] }).outcome.reason).toContain('(the 1 plan given is not evidence)');
  });

  it('high risk (default): tests too, and two reviews by distinct agents', () => {
    const blocked = gates(DEFAULT, 'high', { evidence: [NOTES], reviews: [vote('ag_rex')] });
    expect(blocked.runs.filter((run) => run.decision === 'block').map((run) => run.hook)).toEqual([
      'builtin:quality.high.require_tests',
      'builtin:quality.high.required_reviews',
    ]);
    expect(blocked.outcome.reason).toContain('needs test evidence: publish the test run with team_artifact_publish tests=true');
    expect(blocked.outcome.reason).toContain('1 more missing: approved by rex');
    expect(gates(DEFAULT, 'high', { evidence: [NOTES, TESTS], reviews: [vote('ag_rex'), vote('ag_ann')] }).outcome.decision).toBe('allow');
  });

  it("the holder's own approval never counts", () => {
    const own = gates(DEFAULT, 'medium', { evidence: [NOTES], reviews: [vote('ag_holder')] });
    expect(own.outcome.decision).toBe('block');
    expect(own.outcome.reason).toContain('none so far');
  });

  it('a second vote of the same agent does not count twice', () => {
    expect(gates(DEFAULT, 'high', { evidence: [TESTS], reviews: [vote('ag_rex'), vote('ag_rex')] }).outcome.decision).toBe('block');
  });

  it('a rejection counts for nothing and is named', () => {
    const rejected = gates(DEFAULT, 'medium', { evidence: [NOTES], reviews: [vote('ag_rex', 'reject')] });
    expect(rejected.outcome.decision).toBe('block');
    expect(rejected.outcome.reason).toContain('changes asked by rex');
  });

  it('the deep profile asks even low risk for evidence and a review', () => {
    expect(gates(DEEP, 'low').runs.map((run) => run.hook)).toEqual(['builtin:quality.low.require_evidence', 'builtin:quality.low.required_reviews']);
    expect(gates(DEEP, 'high', { evidence: [TESTS], reviews: [vote('ag_a'), vote('ag_b')] }).outcome.reason).toContain('needs 3 approving reviews');
  });

  it('a failed outcome needs no proof of quality', () => {
    expect(gates(DEEP, 'high', { outcome: 'failed' }).runs).toEqual([]);
  });
});

describe('per-agent caps of a claim', () => {
  const load = { agentName: 'ann', claims: 3, turns: 40, wallTimeMs: 600_000 };

  it('no caps, no gates', () => {
    expect(claimCapGates('default', undefined, load)).toEqual([]);
  });

  it('blocks once a cap is reached, naming it', () => {
    const runs = claimCapGates('capped', { claims: 3, turns: 100 }, load);
    const outcome = combineHookRuns('PreTaskClaim', runs);
    expect(runs.map((run) => [run.hook, run.decision])).toEqual([
      ['builtin:caps.claims', 'block'],
      ['builtin:caps.turns', 'allow'],
    ]);
    expect(outcome.reason).toBe(
      'builtin:caps.claims: agent ann reached its cap of 3 claims (profile capped, caps.claims: 3 used); it takes no more work: report to the lead and stop',
    );
  });

  it('caps turns and wall time the same way', () => {
    expect(combineHookRuns('PreTaskClaim', claimCapGates('p', { turns: 40 }, load)).decision).toBe('block');
    expect(combineHookRuns('PreTaskClaim', claimCapGates('p', { wall_time_ms: 600_001 }, load)).decision).toBe('allow');
    expect(combineHookRuns('PreTaskClaim', claimCapGates('p', { wall_time_ms: 600_000 }, load)).decision).toBe('block');
  });
});
