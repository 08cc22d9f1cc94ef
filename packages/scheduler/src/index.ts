// Public API of @codex-team/scheduler: DAG readiness, claim order, critical path and staffing hints.
export { CLAIM_ORDER, EVERY_KIND, claimKindOf, claimRefusal, readyTasks, readyWhen, selectNextTask } from './readiness';
export type { ClaimableKinds, ClaimOrderKey } from './readiness';
export { blockedByCycle } from './dependency-cycles';
export { remainingCriticalPath } from './critical-path';
export { teamHints, readyToFinalize, budgetView, fanoutDecisionKey } from './team-hints';
export type { StaffingHintsView, ReadyToFinalize, BudgetView } from './team-hints';
export { runSummary, workIntervals } from './run-summary';
export type { RunSummary, WorkOutcome } from './run-summary';
