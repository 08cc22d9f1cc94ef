// Public API of @codex-team/scheduler: DAG readiness, claim order, critical path, staffing hints and runtime rebalancing.
export { CLAIM_ORDER, EVERY_KIND, claimKindOf, claimRanks, claimRefusal, compareClaimOrder, readyTasks, readyWhen, selectNextTask } from './readiness';
export type { ClaimableKinds, ClaimOrderFacts, ClaimOrderKey } from './readiness';
export { blockedByCycle } from './dependency-cycles';
export { criticalPath, criticalPathRanks, liveWork, remainingCriticalPath } from './critical-path';
export type { LiveWork } from './critical-path';
export { waitedOnInClaimOrder } from './claim-rank-order';
export type { RankedTask } from './claim-rank-order';
export { teamHints, readyToFinalize, budgetView, fanoutDecisionKey, rebalanceHints } from './team-hints';
export type { StaffingHintsView, ReadyToFinalize, BudgetView, RebalanceHints } from './team-hints';
export { runSummary, workIntervals } from './run-summary';
export type { RunSummary, WorkOutcome } from './run-summary';
export { DEFAULT_DURATION_PRIOR_MS, durationsFromTotals, learnDurations, expectedDurationMs, taskEstimateMs } from './task-durations';
export type { DurationModel, DurationSample } from './task-durations';
export { decideRebalance, DEFAULT_REBALANCE_SETTINGS } from './rebalance';
export type { RebalanceAgent, RebalanceDecision, RebalanceInput, RebalanceSettings, RebalanceTask, RetireDirective, SpawnDirective } from './rebalance-types';
