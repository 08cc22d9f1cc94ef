import type {
  RecoveryAgentView,
  RecoveryClaimView,
  RecoveryStep,
  RecoveryTeamView,
  RecoveryView,
} from '@codex-team/store';
import { maxAttemptsOf, staleAfterOf, type RecoveryPolicy } from './recovery-policy';

/** The rules a sweep decides by; each step and log line names the one that decided. */
export const RECOVERY_RULES = {
  /** A claim whose lease passed goes back to the pool. */
  leaseExpired: 'lease.expired',
  /** A claim of an agent whose session ended goes back once the grace period passed. */
  ownerDisconnected: 'agent.disconnected_grace',
  /** A claim of an agent that is retired (or unknown) goes back at once. */
  ownerGone: 'agent.gone',
  /** A teammate not heard from for its team's stale time (staleAfterOf) is lost and frees its thread slot. */
  agentStale: 'agent.stale',
  /** An invitation not taken up within that time is withdrawn and frees its slot. */
  invitationStale: 'invitation.stale',
} as const;

function ago(now: number, at: number): string {
  return `${Math.max(0, now - at)} ms ago`;
}

/** Which agents this sweep declares lost: silent teammates and invitations nobody took up. */
function lostAgentSteps(team: RecoveryTeamView, now: number, policy: RecoveryPolicy): RecoveryStep[] {
  const steps: RecoveryStep[] = [];
  const staleAfterMs = staleAfterOf(policy, team.profile);
  for (const agent of team.agents) {
    if (agent.id === team.leadAgentId) continue;
    const expect = { state: agent.state, epoch: agent.epoch, lastSeenAt: agent.lastSeenAt };
    if (agent.state === 'active' && (agent.lastSeenAt ?? agent.createdAt) + staleAfterMs <= now) {
      steps.push({
        kind: 'mark_agent_lost',
        teamId: team.teamId,
        agentId: agent.id,
        to: 'disconnected',
        expect,
        rule: RECOVERY_RULES.agentStale,
        reason: `${agent.name} was last heard from ${ago(now, agent.lastSeenAt ?? agent.createdAt)} (lost after ${staleAfterMs} ms); its thread slot is free`,
      });
    }
    if (agent.state === 'invited' && agent.createdAt + staleAfterMs <= now) {
      steps.push({
        kind: 'mark_agent_lost',
        teamId: team.teamId,
        agentId: agent.id,
        to: 'retired',
        expect,
        rule: RECOVERY_RULES.invitationStale,
        reason: `${agent.name} was invited ${ago(now, agent.createdAt)} and never joined (withdrawn after ${staleAfterMs} ms); its thread slot is free`,
      });
    }
  }
  return steps;
}

/** Why a claim must be taken back now, or null while its holder may still finish it. */
function reclaimCause(
  claim: RecoveryClaimView,
  owner: RecoveryAgentView | undefined,
  lostNow: boolean,
  now: number,
  policy: RecoveryPolicy,
): { rule: string; why: string } | null {
  if (claim.leaseExpiresAt !== null && claim.leaseExpiresAt <= now) {
    return { rule: RECOVERY_RULES.leaseExpired, why: `its lease expired ${ago(now, claim.leaseExpiresAt)}` };
  }
  if (claim.leaseExpiresAt === null) return { rule: RECOVERY_RULES.leaseExpired, why: 'it has no lease' };
  if (owner === undefined || owner.state === 'retired') {
    return { rule: RECOVERY_RULES.ownerGone, why: 'its holder is retired' };
  }
  if (owner.state === 'disconnected' || lostNow) {
    const since = owner.lastSeenAt ?? owner.createdAt;
    if (since + policy.graceMs <= now) {
      return {
        rule: RECOVERY_RULES.ownerDisconnected,
        why: `its holder ${owner.name} ${lostNow ? 'is lost' : 'disconnected'} ${ago(now, since)} and did not resume within ${policy.graceMs} ms`,
      };
    }
  }
  return null;
}

/**
 * The steps one sweep takes, from one consistent view, in a fixed order (teams by id; in each team
 * lost agents first, then claims in creation order). Pure: the same view and policy give the same
 * steps in every process. A claim taken back returns to the pool, or fails once it has used
 * `maxAttempts` claims (the team profile's lease.max_attempts unless given explicitly).
 */
export function decideRecovery(view: RecoveryView, policy: RecoveryPolicy): RecoveryStep[] {
  const steps: RecoveryStep[] = [];
  for (const team of view.teams) {
    const lost = lostAgentSteps(team, view.now, policy);
    steps.push(...lost);
    const lostIds = new Set(lost.map((step) => (step.kind === 'mark_agent_lost' ? step.agentId : '')));
    const agents = new Map(team.agents.map((agent) => [agent.id, agent] as const));
    const maxAttempts = maxAttemptsOf(policy, team.profile);
    for (const claim of team.claims) {
      const owner = agents.get(claim.ownerAgentId);
      const cause = reclaimCause(claim, owner, lostIds.has(claim.ownerAgentId), view.now, policy);
      if (cause === null) continue;
      const exhausted = claim.attempts >= maxAttempts;
      steps.push({
        kind: 'reclaim_task',
        teamId: team.teamId,
        taskId: claim.taskId,
        to: exhausted ? 'failed' : 'ready',
        expect: { ownerAgentId: claim.ownerAgentId, fence: claim.fence, leaseExpiresAt: claim.leaseExpiresAt },
        rule: exhausted ? `${cause.rule}+lease.max_attempts` : cause.rule,
        reason: exhausted
          ? `"${claim.title}" failed: ${cause.why}, and it was claimed ${claim.attempts} of ${maxAttempts} times`
          : `"${claim.title}" is ready again: ${cause.why} (fence ${claim.fence}, attempt ${claim.attempts} of ${maxAttempts})`,
      });
    }
  }
  return steps;
}
