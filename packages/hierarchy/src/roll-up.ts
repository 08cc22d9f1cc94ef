import type { Profile, TaskStatus } from '@codex-team/contracts';

/** How a child team ended, for the tasks its parent delegated to it. */
export type ChildOutcome = 'done' | 'failed' | 'cancelled';

/**
 * Who closed the child: its own lead (or the operator finalizing it), an ancestor's lead (cancel),
 * the idle sweep, or the operator cancelling it (`codex-team cancel`).
 */
export type ClosedBy = 'lead' | 'ancestor' | 'sweep' | 'operator_cancel';

export interface ChildEndFacts {
  closedBy: ClosedBy;
  /** Unfinished tasks this finalize cancelled (a forced finalize, a cascade, the sweep). */
  cancelledOpen: number;
  /** The child's task counts after the finalize. */
  tasksByStatus: Record<TaskStatus, number>;
}

/**
 * How a finished child did: `done` when it finished its work itself (some task done, none failed,
 * nothing left open); `cancelled` when an ancestor stopped it with work open; `failed` otherwise.
 */
export function childOutcome(facts: ChildEndFacts): { outcome: ChildOutcome; reason: string } {
  const { done, failed } = facts.tasksByStatus;
  if (facts.closedBy === 'operator_cancel') return { outcome: 'cancelled', reason: 'cancelled by the operator' };
  if (facts.cancelledOpen > 0 && facts.closedBy === 'ancestor') {
    return { outcome: 'cancelled', reason: `cancelled by an ancestor's lead with ${facts.cancelledOpen} tasks unfinished` };
  }
  if (facts.closedBy === 'sweep') return { outcome: 'failed', reason: 'finalized by the idle sweep' };
  if (facts.cancelledOpen > 0) return { outcome: 'failed', reason: `finalized with ${facts.cancelledOpen} tasks unfinished` };
  if (failed > 0) return { outcome: 'failed', reason: `${failed} of its tasks failed` };
  if (done === 0) return { outcome: 'failed', reason: 'it finished no task' };
  return { outcome: 'done', reason: `${done} tasks done` };
}

/** What the parent's delegated tasks become: done, failed, or ready again (back to the pool). */
export interface RollUp {
  status: Extract<TaskStatus, 'done' | 'failed' | 'ready'>;
  /** `hierarchy.roll_up`, or the profile field that decided a failure: `hierarchy.on_child_failure`. */
  rule: string;
  reason: string;
}

/**
 * The roll-up of a finished child into its parent, by the parent's profile: a done child's tasks
 * are done with its summary and artifacts as evidence; a failed or cancelled child's tasks fail or
 * go back to the pool (hierarchy.on_child_failure). Pure.
 */
export function rollUpRuling(parentProfile: Profile, child: { name: string; outcome: ChildOutcome; reason: string }): RollUp {
  if (child.outcome === 'done') {
    return { status: 'done', rule: 'hierarchy.roll_up', reason: `child team ${child.name} finished: ${child.reason}` };
  }
  const back = parentProfile.hierarchy.on_child_failure === 'return';
  return {
    status: back ? 'ready' : 'failed',
    rule: 'hierarchy.on_child_failure',
    reason: `child team ${child.name} ${child.outcome === 'cancelled' ? 'was cancelled' : 'failed'} (${child.reason}); ` +
      (back ? 'its delegated tasks are back in the pool' : 'its delegated tasks fail'),
  };
}
