// Public API of @codex-team/store. The conformance suite is not exported here (it needs Jest's
// globals); adapter specs import it by relative path.
export type {
  Actor,
  SessionBinding,
  BoundAgent,
  CreateTeamInput,
  SpawnAgentInput,
  JoinAgentInput,
  LeaseOptions,
  ClaimOptions,
  ClaimableTasks,
  CallAuthorization,
  AuthzDecisionInput,
  AuthzDecisionQuery,
  HeartbeatRequest,
  RecoveryScope,
  RecoveryAgentView,
  RecoveryClaimView,
  RecoveryTeamView,
  RecoveryView,
  RecoveryStep,
  RecoveryPlan,
  AppliedRecoveryStep,
  RecoveryResult,
  AuditQuery,
  TeamStore,
  TeamStatusBase,
  RecordUsageInput,
  SetProfileInput,
  DecisionEntry,
  SweepResult,
  SetModeInput,
  ModeChangeResult,
  PlanReviewInput,
} from './team-store';
export { OPEN_POLICY } from './team-policy';
export type {
  TeamPolicy,
  AdmittedAction,
  AdmissionFacts,
  UsageCharge,
  IdleAgentFacts,
  SweepFacts,
  SweepPlan,
  ModeChangeFacts,
  ModeChangeDecision,
  ModeGateFacts,
} from './team-policy';
export type { TeamSnapshot, AckRecord, UsageRecord } from './team-snapshot';
export { replayAuditTrail } from './audit-replay';
export { SqliteTeamStore, openSqliteTeamStore } from './sqlite-team-store';
export type { SqliteTeamStoreOptions, BusyRetryOptions } from './sqlite-team-store';
export { CURRENT_SCHEMA_VERSION } from './migrations';
export { defaultDbPath } from './default-db-path';
export { digestDatabase, checkDatabaseIntegrity, DECISION_LOG_TABLE } from './database-digest';
export type { TableDigest, DigestOptions } from './database-digest';
export { runWriteCeiling } from './write-ceiling';
export type { WriteCeilingRun } from './write-ceiling';
export { runPgClaimCeiling } from './postgres/pg-claim-ceiling';
export type { PgClaimCeilingOptions, PgClaimCeilingRun } from './postgres/pg-claim-ceiling';
