import { DEFAULTS } from '@codex-team/contracts';
import { idleVerdict, modeLapse, teamIdleVerdict } from '@codex-team/policy-engine';
import { leadLoss } from './lead-loss';
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
  /** With the profile's idle.retire_idle_agents, a silent teammate is retired instead: gone for good. */
  idleRetire: 'idle.retire_idle_agents',
  /** A team with no activity for its profile's idle.team_timeout_ms is finalized. */
  teamIdle: 'idle.team_timeout_ms',
  /** A temporary mode past its time returns to the mode it returns to (recorded once). */
  modeLapsed: 'mode.ttl',
  /** A team with the profile's checkpoint.every_events events since its latest checkpoint gets a new one. */
  checkpointDue: 'checkpoint.every_events',
  /**
   * A child team's lead is lost (silent, gone past the grace period, or retired): the team is left
   * as it is and its parent's lead is told once, to take it over or cancel it.
   */
  childLeadLost: 'hierarchy.lead_lost',
} as const;

/** A checkpoint of the team when enough events happened since its latest one (none when the profile says 0). */
function checkpointStep(team: RecoveryTeamView): RecoveryStep | null {
  const every = team.settings?.checkpoint?.every_events ?? DEFAULTS.checkpointEveryEvents;
  if (every === 0 || team.checkpoint.eventsSince < every) return null;
  return {
    kind: 'checkpoint_team',
    teamId: team.teamId,
    expect: { uptoSeq: team.checkpoint.uptoSeq },
    rule: RECOVERY_RULES.checkpointDue,
    reason: `${team.checkpoint.eventsSince} audit events since ${team.checkpoint.uptoSeq === 0 ? 'the team started' : `the checkpoint at seq ${team.checkpoint.uptoSeq}`} (every ${every})`,
  };
}

function ago(now: number, at: number): string {
  return `${Math.max(0, now - at)} ms ago`;
}

/**
 * Which agents this sweep takes off the team: a teammate (or invitation) silent for the team's
 * stale time (staleAfterOf: the profile's idle.agent_timeout_ms, floored) is retired when the
 * profile's idle sweep retires idle agents, else lost (disconnected: it may come back) or, for an
 * invitation, withdrawn. A disconnected teammate is retired the same way once it stays silent.
 */
function lostAgentSteps(team: RecoveryTeamView, now: number, policy: RecoveryPolicy): RecoveryStep[] {
  const steps: RecoveryStep[] = [];
  const staleAfterMs = staleAfterOf(policy, team.settings);
  const profile = team.settings;
  const retires = profile !== null && profile.guardrails.idle_sweep && profile.idle.retire_idle_agents;
  for (const agent of team.agents) {
    // A root's lead is never lost (it is the user's own session); a lead another agent plays has
    // that agent's liveness. A child team's own lead is a thread like any teammate.
    if (agent.id === team.leadAgentId && team.parent === null) continue;
    if (agent.principalAgentId !== null) continue;
    const expect = { state: agent.state, epoch: agent.epoch, lastSeenAt: agent.lastSeenAt };
    const since = agent.lastSeenAt ?? agent.createdAt;
    if (since + staleAfterMs > now) continue;
    if (retires) {
      // An invited agent that never joined has not been seen at all: its clock runs from its spawn.
      const verdict = idleVerdict({ profile, now, lastSeenAt: agent.lastSeenAt, createdAt: agent.createdAt, timeoutMs: staleAfterMs });
      steps.push({ kind: 'retire_agent', teamId: team.teamId, agentId: agent.id, expect, rule: verdict.rule, reason: verdict.reason });
      continue;
    }
    if (agent.state === 'active') {
      steps.push({
        kind: 'mark_agent_lost',
        teamId: team.teamId,
        agentId: agent.id,
        to: 'disconnected',
        expect,
        rule: RECOVERY_RULES.agentStale,
        reason: `${agent.name} was last heard from ${ago(now, since)} (lost after ${staleAfterMs} ms); its thread slot is free`,
      });
    }
    if (agent.state === 'invited') {
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

/**
 * The report of a child team's lost lead to its parent's lead, once per loss: its lead is being
 * marked lost or retired by this sweep, is not in the view (retired), or its session ended more
 * than the grace period ago. A lead another agent plays is never lost.
 */
function leadLostStep(team: RecoveryTeamView, lost: readonly RecoveryStep[], now: number, policy: RecoveryPolicy): RecoveryStep | null {
  if (team.parent === null || team.leadLostAt !== null) return null;
  const lead = team.agents.find((agent) => agent.id === team.leadAgentId);
  if (lead !== undefined && lead.principalAgentId !== null) return null;
  const goingNow = lost.some((step) => (step.kind === 'mark_agent_lost' || step.kind === 'retire_agent') && step.agentId === team.leadAgentId);
  const why = goingNow && lead !== undefined ? `it was last heard from ${ago(now, lead.lastSeenAt ?? lead.createdAt)}` : leadLoss(lead, now, policy.graceMs);
  if (why === null) return null;
  return { kind: 'report_lead_lost', teamId: team.teamId, agentId: team.leadAgentId, expect: { leadLostAt: null }, rule: RECOVERY_RULES.childLeadLost, reason: why };
}

/** The team's own steps: a temporary mode that lapsed, and a finalize when the team is idle as a whole. */
function teamSteps(team: RecoveryTeamView, now: number): { lapse: RecoveryStep | null; finalize: RecoveryStep | null } {
  const lapsed = modeLapse(team.mode, now);
  const lapse: RecoveryStep | null =
    lapsed === null || team.mode.expiresAt === null
      ? null
      : {
          kind: 'expire_mode',
          teamId: team.teamId,
          expect: { expiresAt: team.mode.expiresAt },
          rule: RECOVERY_RULES.modeLapsed,
          reason: `${lapsed.reason}; back to ${lapsed.to}`,
        };
  const profile = team.settings;
  if (profile === null) return { lapse, finalize: null };
  const idle = teamIdleVerdict({ profile, now, lastActivityAt: team.lastActivityAt });
  const finalize: RecoveryStep | null =
    idle.verdict === 'idle'
      ? { kind: 'finalize_team', teamId: team.teamId, expect: { lastActivityAt: team.lastActivityAt }, rule: idle.rule, reason: idle.reason }
      : null;
  return { lapse, finalize };
}

/** Why a claim must be taken back now, or null while its holder may still finish it. */
function reclaimCause(
  claim: RecoveryClaimView,
  owner: RecoveryAgentView | undefined,
  lostNow: boolean,
  retiredNow: boolean,
  now: number,
  policy: RecoveryPolicy,
): { rule: string; why: string } | null {
  if (claim.leaseExpiresAt !== null && claim.leaseExpiresAt <= now) {
    return { rule: RECOVERY_RULES.leaseExpired, why: `its lease expired ${ago(now, claim.leaseExpiresAt)}` };
  }
  if (claim.leaseExpiresAt === null) return { rule: RECOVERY_RULES.leaseExpired, why: 'it has no lease' };
  if (owner === undefined || owner.state === 'retired' || retiredNow) {
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
 * The one decision of a sweep, pure over one consistent view: the same view and policy give the
 * same steps in every process. Teams by id; in each team a lapsed mode first, then lost, retired
 * and withdrawn agents, then the claims to take back in creation order, and last a finalize of a
 * team idle as a whole (whose open claims the finalize cancels, so none is taken back). A claim
 * taken back returns to the pool, or fails once it has used `maxAttempts` claims (the team
 * profile's lease.max_attempts unless given explicitly). After them, a checkpoint once the
 * profile's checkpoint.every_events events happened since the latest one.
 */
export function decideRecovery(view: RecoveryView, policy: RecoveryPolicy): RecoveryStep[] {
  const steps: RecoveryStep[] = [];
  for (const team of view.teams) {
    const { lapse, finalize } = teamSteps(team, view.now);
    if (lapse !== null) steps.push(lapse);
    const lost = lostAgentSteps(team, view.now, policy);
    steps.push(...lost);
    if (finalize !== null) {
      steps.push(finalize);
      continue;
    }
    const leadLost = leadLostStep(team, lost, view.now, policy);
    if (leadLost !== null) steps.push(leadLost);
    const lostIds = new Set(lost.flatMap((step) => (step.kind === 'mark_agent_lost' ? [step.agentId] : [])));
    const retiredIds = new Set(lost.flatMap((step) => (step.kind === 'retire_agent' ? [step.agentId] : [])));
    const agents = new Map(team.agents.map((agent) => [agent.id, agent] as const));
    const maxAttempts = maxAttemptsOf(policy, team.settings);
    for (const claim of team.claims) {
      const owner = agents.get(claim.ownerAgentId);
      const cause = reclaimCause(claim, owner, lostIds.has(claim.ownerAgentId), retiredIds.has(claim.ownerAgentId), view.now, policy);
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
    const checkpoint = checkpointStep(team);
    if (checkpoint !== null) steps.push(checkpoint);
  }
  return steps;
}
