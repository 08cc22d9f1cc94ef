// Public API of @codex-team/scheduler: DAG readiness, claim order, critical path and staffing hints.
export {
  CLAIM_ORDER,
  EVERY_KIND,
  claimKindOf,
  claimRefusal,
  compareClaimOrder,
  isReady,
  readyTasks,
  readyWhen,
  selectNextTask,
} from './readiness';
export type { ClaimableKinds, ClaimFacts, ClaimOrderKey, ClaimRefusal, SchedulableTask } from './readiness';
export { blockedByCycle } from './dependency-cycles';
export type { DependencyNode } from './dependency-cycles';
export { criticalPath, remainingCriticalPath } from './critical-path';
export type { CriticalPath, PathNode } from './critical-path';
export { SLOT_HOLDING_STATES, staffingHints } from './staffing';
export type { StaffingHints, StaffingInput } from './staffing';
export { teamHints, readyToFinalize, budgetView, fanoutDecisionKey } from './team-hints';
export type { StaffingHintsView, ReadyToFinalize, BudgetView } from './team-hints';
export { runSummary, workIntervals, SUMMARY_DECISIONS_MAX } from './run-summary';
export type { RunSummary, WorkInterval, WorkOutcome } from './run-summary';
