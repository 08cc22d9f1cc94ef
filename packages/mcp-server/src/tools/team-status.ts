import { agentRef, statusHints, teamRef } from '@codex-team/contracts';
import { treeThreadCap, type TeamBudget, type TreeThreads } from '@codex-team/hierarchy';
import { earlyStopVerdict } from '@codex-team/policy-engine';
import { fanoutDecisionKey, teamHints } from '@codex-team/scheduler';
import type { BoundToolContext, ToolRegistry } from '../tool-registry';

/**
 * The lead's readiness hints for the team it leads (its own, or a child it plays the lead of),
 * under the budget and the threads the tree leaves it (and Codex's cap, counting the whole tree);
 * logged each time and audited when the recommendation changed.
 */
async function leadHints(ctx: BoundToolContext, teamId: string, budget: TeamBudget, threads: TreeThreads) {
  const { store, actor, logger } = ctx;
  const { profile } = budget;
  const snapshot = await store.readTeam(teamId as typeof actor.teamId);
  const hints = teamHints({ ...snapshot, used_tokens: budget.committedTokens }, profile, treeThreadCap(threads, ctx.policy.codexThreadCap));
  const decision = fanoutDecisionKey(hints);
  logger.info(
    { team_id: teamId, profile: profile.name, rule: 'fanout', inputs: { cap: hints.cap, budget: hints.budget.state }, outcome: decision },
    'policy decision',
  );
  await store.recordDecision(
    snapshot.team.id,
    { actorAgentId: actor.agentId, action: 'policy.fanout', decision: 'allow', reason: hints.reasons.join('; '), data: decision },
    { unlessSameAsLast: true },
  );
  return hints;
}

/**
 * team_status: the team's (yours, or the one `team` names as the tree allows), agents, task counts
 * and unread messages; whether it is ready to finalize (early stop); one line per child team and,
 * for a child, its parent's; and for its lead while it is active, which roles to spawn now.
 */
export function registerTeamStatus(registry: ToolRegistry): void {
  registry.registerBound('team_status', async (_input, ctx) => {
    const { consensus_at, used_tokens: _used, budget, threads, team, me, agents, tasks_by_status, ...counts } = await ctx.store.getStatus(ctx.actor);
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
      hints: isLead ? statusHints(await leadHints(ctx, team.id, budget, threads)) : null,
    };
  });
}
