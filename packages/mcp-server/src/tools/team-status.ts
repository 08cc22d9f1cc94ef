import { agentRef, statusHints, teamRef } from '@codex-team/contracts';
import { earlyStopVerdict } from '@codex-team/policy-engine';
import { fanoutDecisionKey, teamHints } from '@codex-team/scheduler';
import type { BoundToolContext, ToolRegistry } from '../tool-registry';

/** The lead's readiness hints, logged each time and audited when the recommendation changed. */
async function leadHints(ctx: BoundToolContext) {
  const { store, actor, bound, policy, logger } = ctx;
  const profile = policy.profileOf(bound.team);
  const hints = teamHints(await store.readTeam(actor.teamId), profile, policy.codexThreadCap);
  const decision = fanoutDecisionKey(hints);
  logger.info(
    { team_id: actor.teamId, profile: profile.name, rule: 'fanout', inputs: { cap: hints.cap, budget: hints.budget.state }, outcome: decision },
    'policy decision',
  );
  await store.recordDecision(
    actor.teamId,
    { actorAgentId: actor.agentId, action: 'policy.fanout', decision: 'allow', reason: hints.reasons.join('; '), data: decision },
    { unlessSameAsLast: true },
  );
  return hints;
}

/**
 * team_status: the caller's team, agents, task counts and unread messages; whether the team is
 * ready to finalize (early stop); and for the lead of an active team, which roles to spawn now.
 */
export function registerTeamStatus(registry: ToolRegistry): void {
  registry.registerBound('team_status', async (_input, ctx) => {
    const { consensus_at, used_tokens: _used, team, me, agents, tasks_by_status, ...counts } = await ctx.store.getStatus(ctx.actor);
    const status = {
      team: teamRef(team),
      me: agentRef(me),
      agents: agents.filter((agent) => agent.id !== me.id).map(agentRef),
      tasks_by_status: Object.fromEntries(Object.entries(tasks_by_status).filter(([, n]) => n > 0)),
      ...counts,
    };
    if (team.state === 'finalized') {
      return { ...status, ready_to_finalize: { ready: false, reason: 'the team is finalized' }, hints: null };
    }
    const verdict = earlyStopVerdict(ctx.policy.profileOf(team), tasks_by_status, consensus_at);
    const isLead = team.lead_agent_id === me.id;
    return {
      ...status,
      ready_to_finalize: { ready: verdict.verdict === 'stop', reason: verdict.reason },
      hints: isLead ? statusHints(await leadHints(ctx)) : null,
    };
  });
}
