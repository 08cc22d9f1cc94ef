import type { Agent } from '@codex-team/contracts';
import type { RecoveryPolicy } from './recovery-policy';

/** What a call of a bound session does about its agent's liveness. */
export interface HeartbeatDecision {
  /** none: seen recently enough. renew: record that it is seen. reinstate: it was marked lost and is back. */
  action: 'none' | 'renew' | 'reinstate';
  rule: string;
  reason: string;
}

/**
 * Whether a call from this agent should renew its heartbeat. Renewals are throttled to one per
 * `heartbeatEveryMs` (each is one write and one audit event); an agent recovery marked lost that is
 * calling again is reinstated before its call runs, so it takes a thread slot again first.
 */
export function heartbeatDecision(
  agent: Pick<Agent, 'state' | 'last_seen_at'>,
  now: number,
  policy: Pick<RecoveryPolicy, 'heartbeatEveryMs'>,
): HeartbeatDecision {
  if (agent.state === 'disconnected') {
    return { action: 'reinstate', rule: 'agent.calling_again', reason: 'a lost agent is calling again' };
  }
  if (agent.state !== 'active') {
    return { action: 'none', rule: 'agent.state', reason: `agent is ${agent.state}` };
  }
  const seen = agent.last_seen_at === null ? Number.NEGATIVE_INFINITY : Date.parse(agent.last_seen_at);
  const since = now - seen;
  if (since >= policy.heartbeatEveryMs) {
    return { action: 'renew', rule: 'heartbeat.every_ms', reason: `last seen ${since} ms ago, renewed every ${policy.heartbeatEveryMs} ms` };
  }
  return { action: 'none', rule: 'heartbeat.every_ms', reason: `seen ${since} ms ago` };
}
