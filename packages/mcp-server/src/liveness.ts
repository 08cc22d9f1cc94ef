import { heartbeatDecision, type HeartbeatDecision } from '@codex-team/recovery';
import type { BoundAgent } from '@codex-team/store';
import type { ToolEnv } from './tool-registry';

/**
 * Before a bound call runs: an agent recovery marked lost that is calling again is reinstated, so
 * it takes a thread slot again (or gets NOT_BOUND when none is free) before it can act. Returns the
 * binding as it now is and what to do about the heartbeat once the call has succeeded.
 */
export async function beforeBoundCall(
  env: ToolEnv,
  bound: BoundAgent,
  tool: string,
): Promise<{ bound: BoundAgent; heartbeat: HeartbeatDecision }> {
  const heartbeat = heartbeatDecision(bound.agent, env.clock.now(), env.recovery);
  const binding = env.session.binding;
  if (heartbeat.action !== 'reinstate' || binding === null || bound.team.state !== 'active') return { bound, heartbeat };
  // No claims are renewed here, so the lease length is not used.
  const beat = await env.store.heartbeatAgent(binding, { tasks: [], reinstate: true }, { leaseMs: env.recovery.leaseMs });
  env.logger.info(
    { tool, agent_id: binding.agentId, team_id: binding.teamId, rule: heartbeat.rule, outcome: 'active' },
    heartbeat.reason,
  );
  return { bound: { ...bound, agent: { ...bound.agent, state: 'active', last_seen_at: beat.last_seen_at } }, heartbeat };
}

/**
 * After a successful bound call that only read, at most once per heartbeatEveryMs: records that the
 * agent is alive (one write, one `agent.heartbeat` event). A write renews it in its own transaction
 * instead (Actor.renewHeartbeat); a refused call renews nothing. A failure here (a locked store:
 * one attempt only) is logged and never fails or holds up the call that already succeeded.
 */
export async function afterBoundCall(env: ToolEnv, bound: BoundAgent, heartbeat: HeartbeatDecision, tool: string): Promise<void> {
  const binding = env.session.binding;
  if (heartbeat.action !== 'renew' || tool === 'team_heartbeat' || binding === null || bound.team.state !== 'active') return;
  try {
    // Best effort: while another process holds the store's lock the read is answered at once and
    // a later call renews the heartbeat.
    await env.store.heartbeatAgent(binding, { tasks: [], reinstate: false, bestEffort: true }, { leaseMs: env.recovery.leaseMs });
  } catch (error) {
    env.logger.warn({ tool, agent_id: binding.agentId, rule: heartbeat.rule, err: error }, 'heartbeat not recorded');
  }
}
