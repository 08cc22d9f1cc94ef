import type { Profile, TeamSnapshot } from '@codex-team/contracts';

// The runtime's scaling decision is one injected pure function: the team as the store has it in,
// desired workers per role and which idle worker to retire (each with its rule and reason) out.
// `readyWorkScaling` is the simple policy the runtime starts with; the rebalancing controller
// (scheduler's decideRebalance) fits the same signature through an adapter.

/** The role a worker takes for tasks that name none (it may claim unassigned work). */
export const DEFAULT_WORKER_ROLE = 'implementer';

/** What a worker of the runtime is doing, as the store shows it. */
export type ScalingWorkerState = 'starting' | 'idle' | 'busy';

/** One live worker: a codex exec process the runtime watches, or a teammate it adopted. */
export interface ScalingWorker {
  agent_id: string;
  role: string;
  state: ScalingWorkerState;
  /** When it entered `state` (ms): launched, went idle, or claimed its task. */
  since_ms: number;
}

/** Everything one scaling decision reads: plain data, the clock's `now` included. */
export interface ScalingInput {
  now_ms: number;
  snapshot: TeamSnapshot;
  /** The team's profile (idle timeouts, thread caps). */
  profile: Profile;
  /** The most workers the team may hold at once: min(team cap with Codex's, --max-workers). */
  cap: number;
  workers: readonly ScalingWorker[];
  /** The decision before this one, for hysteresis; null for the first. */
  previous: ScalingDecision | null;
}

/** Stop this idle worker (its process is ended and its agent retired) for the reason given. */
export interface RetireOrder {
  agent_id: string;
  role: string;
  rule: string;
  reason: string;
}

/** One scaling decision: what the team should look like now, as data with its reasons. */
export interface ScalingDecision {
  /** Workers wanted per role, live ones included; the total never exceeds the input's cap. */
  desired_by_role: Record<string, number>;
  desired_total: number;
  retire: RetireOrder[];
  /** The rule behind the desired counts, for the log. */
  rule: string;
  /** One sentence per consideration, for the log and the live view. */
  reasons: string[];
}

/** A pure decision function: the runtime calls it every tick and obeys it within its caps. */
export type ScalingPolicy = (input: ScalingInput) => ScalingDecision;

/** The role whose workers take a task: its required role, else the default worker role. */
export function roleOfTask(requiredRole: string | null): string {
  return requiredRole ?? DEFAULT_WORKER_ROLE;
}

function countInto(counts: Map<string, number>, role: string): void {
  counts.set(role, (counts.get(role) ?? 0) + 1);
}

/**
 * The simple policy: desired = min(ready work per role + workers busy in it, cap). Busy workers
 * are kept first; ready work is staffed in role order until the cap. An idle worker is retired
 * when no ready work of its role waits and it has been idle for the profile's
 * `idle.agent_timeout_ms`, or at once when another role has ready work and the cap leaves no room.
 */
export const readyWorkScaling: ScalingPolicy = (input) => {
  const ready = new Map<string, number>();
  for (const task of input.snapshot.tasks) if (task.status === 'ready') countInto(ready, roleOfTask(task.required_role));
  const busy = new Map<string, number>();
  for (const worker of input.workers) if (worker.state === 'busy') countInto(busy, worker.role);
  const desired = new Map<string, number>();
  let total = 0;
  for (const [role, n] of [...busy.entries()].sort()) {
    const kept = Math.min(n, input.cap - total);
    if (kept > 0) desired.set(role, kept);
    total += Math.max(0, kept);
  }
  for (const [role, n] of [...ready.entries()].sort()) {
    const more = Math.min(n, input.cap - total);
    if (more <= 0) continue;
    desired.set(role, (desired.get(role) ?? 0) + more);
    total += more;
  }
  const reasons = [
    `ready work by role: ${[...ready.entries()].map(([role, n]) => `${role} ${n}`).join(', ') || 'none'}; ` +
      `busy workers: ${[...busy.entries()].map(([role, n]) => `${role} ${n}`).join(', ') || 'none'}; cap ${input.cap}`,
  ];

  const retire: RetireOrder[] = [];
  const starved = [...ready.entries()].some(([role, n]) => n > 0 && input.workers.filter((w) => w.role === role && w.state !== 'busy').length === 0);
  const full = input.workers.length >= input.cap;
  const idleTimeout = input.profile.idle.agent_timeout_ms;
  for (const worker of [...input.workers].sort((a, b) => a.since_ms - b.since_ms)) {
    if (worker.state !== 'idle' || (ready.get(worker.role) ?? 0) > 0) continue;
    const idleMs = input.now_ms - worker.since_ms;
    if (starved && full && retire.length === 0) {
      retire.push({
        agent_id: worker.agent_id,
        role: worker.role,
        rule: 'scaling.retire.make_room',
        reason: `idle ${idleMs} ms with no ${worker.role} work ready, while another role's ready work finds no free slot (cap ${input.cap})`,
      });
    } else if (idleMs >= idleTimeout) {
      retire.push({
        agent_id: worker.agent_id,
        role: worker.role,
        rule: 'scaling.retire.idle_timeout',
        reason: `idle ${idleMs} ms with no ${worker.role} work ready (profile ${input.profile.name} idle.agent_timeout_ms ${idleTimeout})`,
      });
    }
  }
  return { desired_by_role: Object.fromEntries(desired), desired_total: total, retire, rule: 'scaling.ready_work', reasons };
};
