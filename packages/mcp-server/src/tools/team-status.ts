import { earlyStopVerdict } from '@codex-team/policy-engine';
import { rebalanceSettingsOf } from '@codex-team/recovery';
import { fanoutDecisionKey, rebalanceHints, teamHints, type RebalanceHints } from '@codex-team/scheduler';
import type { BoundToolContext, ToolRegistry } from '../tool-registry';

/**
 * The rebalancing directives in force: the store decides now (recording the decision only when it
 * changed, logged either way) and sends no notice, since this answer tells the lead. A failure is
 * logged and answered without the directives: the status itself stands.
 */
async function rebalanceNow(ctx: BoundToolContext): Promise<RebalanceHints | null> {
  const { store, actor, recovery, logger } = ctx;
  try {
    const outcome = await store.rebalance(actor.teamId, { notify: false, actorAgentId: actor.agentId, settings: rebalanceSettingsOf(recovery) });
    return rebalanceHints(outcome.decision, outcome.directives_since, outcome.recorded && outcome.decided_at === outcome.directives_since);
  } catch (error) {
    logger.warn({ err: error, team_id: actor.teamId }, 'rebalancing failed; team_status answers without its directives');
    return null;
  }
}

/** The lead's readiness hints, logged each time and audited when the recommendation changed. */
async function leadHints(ctx: BoundToolContext) {
  const { store, actor, bound, policy, logger } = ctx;
  const profile = policy.profileOf(bound.team);
  const rebalance = await rebalanceNow(ctx);
  const hints = teamHints(await store.readTeam(actor.teamId), profile, policy.codexThreadCap, rebalance);
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
    const { consensus_at, used_tokens: _used, ...status } = await ctx.store.getStatus(ctx.actor);
    if (status.team.state === 'finalized') {
      return { ...status, ready_to_finalize: { ready: false, reason: 'the team is finalized' }, hints: null };
    }
    const verdict = earlyStopVerdict(ctx.policy.profileOf(status.team), status.tasks_by_status, consensus_at);
    const isLead = status.team.lead_agent_id === status.me.id;
    return {
      ...status,
      ready_to_finalize: { ready: verdict.verdict === 'stop', reason: verdict.reason },
      hints: isLead ? await leadHints(ctx) : null,
    };
  });
}
