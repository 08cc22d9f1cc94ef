// Public API of @codex-team/store. The conformance suite is not exported here (it needs Jest's
// globals); adapter specs import it by relative path.
export type {
  Actor,
  SessionBinding,
  BoundAgent,
  CallAuthorization,
  AuthzDecisionInput,
  RecoveryScope,
  RecoveryAgentView,
  RecoveryClaimView,
  RecoveryTeamView,
  RecoveryView,
  RecoveryStep,
  RecoveryResult,
  RebalanceOptions,
  RebalanceOutcome,
  RecordedRebalance,
  HookBlock,
  TicketHolder,
  TeamStore,
  PrunedTeams,
  MeasuredResponse,
  MeasuredUsageInput,
  MeasuredUsageResult,
  TeamStatusBase,
  TaskClaim,
  NextClaim,
  CreatedTasks,
  TaskPage,
  TaskChange,
  TaskCompletion,
  SentMessage,
  InboxPage,
  ArtifactContent,
  FinalizedTeam,
  RestartAgentInput,
  BriefFacts,
  CheckpointOptions,
  CheckpointResult,
  StoredCheckpoint,
} from './team-store';
export { replayAuditTrail, ReplayState } from './audit-replay';
export { stateDigest, canonicalJson, archiveChecksum } from './state-digest';
export { replayStateOf } from './sqlite/checkpoint-ops';
export { verifyCheckpoints } from './checkpoint-verify';
export type { CheckpointVerdict, ReplayVerdict } from './checkpoint-verify';
export { SqliteTeamStore, openSqliteTeamStore, openSqliteTeamStoreReadOnly } from './sqlite-team-store';
export type { TeamStoreReader } from './sqlite-team-store';
export { makeDirectory } from './store-file';
export { notCountedAgainstBusyDeadline, withinOneBusyDeadline } from './sqlite/transaction';
export { CURRENT_SCHEMA_VERSION } from './migrations';
export { defaultDbPath } from './default-db-path';
export { runWriteCeiling } from './write-ceiling';
export { runPgClaimCeiling } from './postgres/pg-claim-ceiling';
export { preparePgLogReplay, replayPgStatements } from './postgres/pg-statement-replay';
export { openPostgresTeamStore } from './postgres/pg-team-store';
export { DEFAULT_STORE_THREADS, openPooledPostgresTeamStore } from './postgres/pg-store-pool';
export type { PooledPostgresTeamStoreOptions } from './postgres/pg-store-pool';
export { lookAtPostgresStore, openPostgresTeamStoreReadOnly } from './postgres/pg-read-only-store';
export type { PostgresReaderOptions, PostgresStoreLook } from './postgres/pg-read-only-store';
export { isPostgresUrl, redactStoreLocation } from './store-location';
export { withPgScratchSchema } from './postgres/pg-scratch-schema';
export type { PostgresTeamStoreOptions } from './postgres/pg-team-store';
export type { SentStatement } from './postgres/pg-sync-connection';
