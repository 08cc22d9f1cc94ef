import { TERMINAL_TASK_STATUSES, type Profile, type TaskStatus } from '@codex-team/contracts';

/** active: seen recently. idle: past the timeout, report it. retire: past the timeout, free its slot. */
export type AgentIdleVerdictName = 'active' | 'idle' | 'retire';

export interface IdleVerdict<V extends string> {
  verdict: V;
  rule: string;
  reason: string;
  /** Milliseconds since last seen (never negative, even if the clock went back). */
  idle_ms: number;
}

export interface AgentIdleInput {
  profile: Profile;
  /** Clock.now() of the caller, in ms. */
  now: number;
  /** When the agent was last seen (any tool call or heartbeat), in ms; null if never. */
  lastSeenAt: number | null;
  /** When the agent was spawned, in ms: the idle clock of an agent never seen starts here. */
  createdAt: number;
  /** The silence after which it is idle, when the caller floors the profile's. @default idle.agent_timeout_ms */
  timeoutMs?: number;
}

/**
 * Whether a teammate is idle under the profile's idle policy. With `guardrails.idle_sweep` off every
 * agent is `active`; otherwise an agent unseen for `idle.agent_timeout_ms` is `retire` when
 * `idle.retire_idle_agents` is on and `idle` when it is off.
 */
export function idleVerdict(input: AgentIdleInput): IdleVerdict<AgentIdleVerdictName> {
  const { profile, now } = input;
  const since = input.lastSeenAt ?? input.createdAt;
  const idle_ms = Math.max(0, now - since);
  const timeout = input.timeoutMs ?? profile.idle.agent_timeout_ms;
  if (!profile.guardrails.idle_sweep) {
    return { verdict: 'active', rule: 'guardrails.idle_sweep', reason: 'idle sweep is off in this profile', idle_ms };
  }
  const seen = input.lastSeenAt === null ? 'never seen since spawn' : 'not seen';
  if (idle_ms < timeout) {
    return { verdict: 'active', rule: 'idle.agent_timeout_ms', reason: `seen ${idle_ms} ms ago, timeout ${timeout} ms`, idle_ms };
  }
  if (profile.idle.retire_idle_agents) {
    return {
      verdict: 'retire',
      rule: 'idle.retire_idle_agents',
      reason: `${seen} for ${idle_ms} ms (timeout ${timeout} ms): retire it and hand its tasks on`,
      idle_ms,
    };
  }
  return {
    verdict: 'idle',
    rule: 'idle.agent_timeout_ms',
    reason: `${seen} for ${idle_ms} ms (timeout ${timeout} ms): tell the lead`,
    idle_ms,
  };
}

export interface TeamIdleInput {
  profile: Profile;
  now: number;
  /** The time of the team's latest audit event, in ms. */
  lastActivityAt: number;
}

/** Whether a whole team has been quiet past `idle.team_timeout_ms` (only with idle_sweep on). */
export function teamIdleVerdict(input: TeamIdleInput): IdleVerdict<'active' | 'idle'> {
  const { profile } = input;
  const idle_ms = Math.max(0, input.now - input.lastActivityAt);
  const timeout = profile.idle.team_timeout_ms;
  if (!profile.guardrails.idle_sweep) {
    return { verdict: 'active', rule: 'guardrails.idle_sweep', reason: 'idle sweep is off in this profile', idle_ms };
  }
  if (idle_ms < timeout) {
    return { verdict: 'active', rule: 'idle.team_timeout_ms', reason: `last activity ${idle_ms} ms ago, timeout ${timeout} ms`, idle_ms };
  }
  return {
    verdict: 'idle',
    rule: 'idle.team_timeout_ms',
    reason: `no activity for ${idle_ms} ms (timeout ${timeout} ms): the lead should finalize or resume the team`,
    idle_ms,
  };
}

export interface EarlyStopVerdict {
  verdict: 'continue' | 'stop';
  rule: string;
  reason: string;
}

/**
 * Whether the team should stop early: with `guardrails.early_stop` on, once the lead has declared
 * consensus (`consensusAt`, an ISO time) or the team has tasks and every one of them is done, failed
 * or cancelled. The lead is told to finalize; no new claims are handed out and no agents spawned.
 */
export function earlyStopVerdict(
  profile: Profile,
  tasksByStatus: Readonly<Partial<Record<TaskStatus, number>>>,
  consensusAt: string | null = null,
): EarlyStopVerdict {
  const rule = 'guardrails.early_stop';
  if (!profile.guardrails.early_stop) return { verdict: 'continue', rule, reason: 'early stop is off in this profile' };
  let total = 0;
  let open = 0;
  for (const [status, n] of Object.entries(tasksByStatus) as [TaskStatus, number | undefined][]) {
    total += n ?? 0;
    if (!TERMINAL_TASK_STATUSES.includes(status)) open += n ?? 0;
  }
  if (consensusAt !== null) {
    const left = open > 0 ? `; ${open} unfinished tasks will be cancelled by team_finalize with force` : '';
    return { verdict: 'stop', rule, reason: `the lead declared consensus at ${consensusAt}: no new claims, finalize the team${left}` };
  }
  if (total === 0) return { verdict: 'continue', rule, reason: 'the team has no tasks yet' };
  if (open > 0) return { verdict: 'continue', rule, reason: `${open} of ${total} tasks are not finished` };
  const done = tasksByStatus.done ?? 0;
  const failed = tasksByStatus.failed ?? 0;
  const tail = failed > 0 ? `; ${failed} failed: review them before finalizing` : '';
  return { verdict: 'stop', rule, reason: `all ${total} tasks are finished (${done} done)${tail}: finalize the team` };
}
