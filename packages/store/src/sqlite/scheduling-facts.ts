import { DEFAULT_DURATION_PRIOR_MS, claimRanks, compareClaimOrder, learnDurations, type DurationModel, type RebalanceTask } from '@codex-team/scheduler';
import type { TaskStatus } from '@codex-team/contracts';
import { teamDependencies } from './task-rows';
import type { Op } from './transaction';

const MINUTE_MS = 60_000;

interface SchedulingRow {
  id: string;
  seq: number;
  status: TaskStatus;
  required_role: string | null;
  priority: number;
  owner_agent_id: string | null;
  claimed_at: number | null;
  lease_expires_at: number | null;
  estimate_min: number | null;
}

/**
 * A team's tasks as claim order and the rebalancing controller read them, in creation order: the
 * DAG, each claim's holder, claim time and lease, and each task's own estimate (ms) when it has one.
 * One query for the tasks and one for the dependencies.
 */
export function schedulingTasks(op: Op, teamId: string): RebalanceTask[] {
  const deps = teamDependencies(op, teamId);
  return op.sql
    .all<SchedulingRow>(
      `SELECT id, seq, status, required_role, priority, owner_agent_id, claimed_at, lease_expires_at, estimate_min
       FROM tasks WHERE team_id = ? ORDER BY seq`,
      teamId,
    )
    .map((row) => {
      const held = row.status === 'in_progress';
      return {
        id: row.id,
        status: row.status,
        depends_on: deps.get(row.id) ?? [],
        required_role: row.required_role,
        priority: row.priority,
        owner_agent_id: held ? row.owner_agent_id : null,
        seq: row.seq,
        claimed_at_ms: held ? row.claimed_at : null,
        lease_expires_at_ms: held ? row.lease_expires_at : null,
        estimate_ms: row.estimate_min === null ? null : row.estimate_min * MINUTE_MS,
      };
    });
}

/**
 * Expected durations learned from the team's done tasks, claim to completion, by required role
 * (learnDurations, with the scheduler's prior before any task is done). Tasks done before their
 * claim time was recorded teach nothing.
 */
export function learnedDurations(op: Op, teamId: string): DurationModel {
  const samples = op.sql.all<{ required_role: string | null; duration_ms: number }>(
    `SELECT required_role, MAX(0, completed_at - claimed_at) AS duration_ms FROM tasks
     WHERE team_id = ? AND status = 'done' AND claimed_at IS NOT NULL AND completed_at IS NOT NULL
     ORDER BY seq`,
    teamId,
  );
  return learnDurations(samples, DEFAULT_DURATION_PRIOR_MS);
}

/** A task the caller may claim now: its id and the claim order facts the store has in its row. */
export interface ClaimCandidate {
  id: string;
  priority: number;
  seq: number;
}

/**
 * The first of `candidates` in claim order (CLAIM_ORDER), with each candidate's critical-path rank
 * computed here, inside the claim's transaction, from the team's DAG, estimates and learned
 * durations (claimRanks). A lone candidate needs no ranks. Undefined when there is none.
 */
export function firstInClaimOrder<C extends ClaimCandidate>(op: Op, teamId: string, candidates: readonly C[]): C | undefined {
  if (candidates.length <= 1) return candidates[0];
  const ranks = claimRanks(schedulingTasks(op, teamId), learnedDurations(op, teamId));
  const facts = (candidate: C) => ({ critical_path_ms: ranks.get(candidate.id) ?? 0, priority: candidate.priority, creation: candidate.seq });
  let first = candidates[0] as C;
  for (const candidate of candidates) if (compareClaimOrder(facts(candidate), facts(first)) < 0) first = candidate;
  return first;
}
