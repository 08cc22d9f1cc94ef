// Public API of @codex-team/scheduler: DAG readiness, claim order, critical path, staffing hints and runtime rebalancing.
export { isReady, compareClaimOrder, readyTasks, isClaimableBy, selectNextTask } from './readiness';
export type { SchedulableTask } from './readiness';
export { criticalPath, remainingCriticalPath } from './critical-path';
export type { CriticalPath, PathNode } from './critical-path';
export { SLOT_HOLDING_STATES, staffingHints } from './staffing';
export type { StaffingHints, StaffingInput } from './staffing';
export { teamHints, readyToFinalize, budgetView, fanoutDecisionKey } from './team-hints';
export type { StaffingHintsView, ReadyToFinalize, BudgetView } from './team-hints';
export { runSummary, workIntervals, SUMMARY_DECISIONS_MAX } from './run-summary';
export type { RunSummary, WorkInterval, WorkOutcome } from './run-summary';
export { compareCriticalPathFirst, criticalPathRanks } from './critical-path-order';
export type { RankableTask, RankedTask } from './critical-path-order';
export { learnDurations, expectedDurationMs } from './task-durations';
export type { DurationModel, DurationSample } from './task-durations';
export { decideRebalance, DEFAULT_REBALANCE_SETTINGS } from './rebalance';
export type {
  NextTaskDirective,
  RebalanceAgent,
  RebalanceAgentState,
  RebalanceBudget,
  RebalanceDecision,
  RebalanceFacts,
  RebalanceInput,
  RebalanceRule,
  RebalanceSettings,
  RebalanceTask,
  RetireCandidate,
  RetireDirective,
  SpawnDirective,
  UnmetWork,
} from './rebalance-types';
