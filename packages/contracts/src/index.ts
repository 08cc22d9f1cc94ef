// Public API of @codex-team/contracts.
export { ErrorCodeSchema, ErrorBodySchema, TeamError, isTeamError, fileAccessError, fileErrorReason } from './errors';
export type { ErrorCode, ErrorBody } from './errors';
export { LIMITS, DEFAULTS } from './limits';
export {
  TeamIdSchema,
  AgentIdSchema,
  TaskIdSchema,
  MessageIdSchema,
  ArtifactIdSchema,
  ID_PREFIXES,
  TimestampSchema,
  NameSchema,
  RoleSchema,
  PermissionProfileNameSchema,
  LEAD_ROLE,
  TeamStateSchema,
  TeamModeSchema,
  TeamModeStateSchema,
  TeamSchema,
  AgentStateSchema,
  AgentSchema,
  TaskStatusSchema,
  TERMINAL_TASK_STATUSES,
  TaskSchema,
  MessageSchema,
  ArtifactNameSchema,
  ArtifactSchema,
  DecisionSchema,
  AuditEventSchema,
} from './entities';
export type {
  TeamId,
  AgentId,
  TaskId,
  MessageId,
  ArtifactId,
  IdPrefix,
  Role,
  PermissionProfileName,
  TeamState,
  TeamMode,
  TeamModeState,
  Team,
  AgentState,
  Agent,
  TaskStatus,
  Task,
  Message,
  Artifact,
  Decision,
  AuditEvent,
} from './entities';
export { FakeClock, RandomIdGenerator, SequentialIdGenerator, seededRandom, systemClock, toBase32 } from './runtime';
export type { Clock, IdGenerator } from './runtime';
export {
  TicketSchema,
  TeamStartInputSchema,
  TeamStartOutputSchema,
  TeamStatusInputSchema,
  TeamStatusOutputSchema,
  TeamFinalizeInputSchema,
  TeamFinalizeOutputSchema,
  TeamResumeInputSchema,
  LeaseSchema,
  RecoveryEventSchema,
  LostAgentSchema,
  ResumeSnapshotSchema,
  TeamResumeOutputSchema,
  TeamSpawnInputSchema,
  TeamSpawnOutputSchema,
  TeamJoinInputSchema,
  TeamJoinOutputSchema,
} from './tools/team-tools';
export {
  TaskKeySchema,
  NewTaskSchema,
  TaskCreateInputSchema,
  TaskCreateOutputSchema,
  TaskListInputSchema,
  TaskListOutputSchema,
  ClaimSchema,
  TaskNextInputSchema,
  TaskNextOutputSchema,
  TaskClaimInputSchema,
  TaskClaimOutputSchema,
  TaskUpdateInputSchema,
  TaskUpdateOutputSchema,
  TaskCompleteInputSchema,
  TaskCompleteOutputSchema,
  TaskReleaseInputSchema,
  TaskReleaseOutputSchema,
} from './tools/task-tools';
export type { NewTask } from './tools/task-tools';
export { SendInputSchema, SendOutputSchema, InboxInputSchema, InboxOutputSchema } from './tools/message-tools';
export {
  MediaTypeSchema,
  ArtifactPublishInputSchema,
  ArtifactPublishOutputSchema,
  ArtifactReadInputSchema,
  ArtifactReadOutputSchema,
  ArtifactListInputSchema,
  ArtifactListOutputSchema,
} from './tools/artifact-tools';
export {
  HEARTBEAT_TASKS_MAX,
  HeartbeatInputSchema,
  HeartbeatOutputSchema,
  RecoveryActionSchema,
  RecoverInputSchema,
  RecoverOutputSchema,
} from './tools/recovery-tools';
export {
  ProfileOriginSchema,
  BudgetStateSchema,
  ReadyToFinalizeSchema,
  SpawnHintSchema,
  StaffingHintsSchema,
  TeamPolicyGetInputSchema,
  TeamPolicyGetOutputSchema,
  TeamPolicySetProfileInputSchema,
  TeamPolicySetProfileOutputSchema,
} from './tools/policy-tools';
export {
  AgentWorkSchema,
  RoleWorkSchema,
  RunSummaryInputSchema,
  RunSummaryOutputSchema,
  ReplayInputSchema,
  ReplayOutputSchema,
} from './tools/observability-tools';
export { TOOL_CONTRACTS, TOOL_NAMES } from './tools/catalog';
export type { ToolAudience, ToolContract, ToolName, ToolInput, ToolOutput } from './tools/catalog';
export { jsonSchemaOf, generatedJsonSchemas } from './generate/json-schemas';
export { renderToolReference } from './generate/tool-reference';
export {
  ProfileNameSchema,
  RiskTierSchema,
  ThreadLimitsSchema,
  FanoutBandSchema,
  TokenBudgetSchema,
  IdlePolicySchema,
  LeasePolicySchema,
  MessagePolicySchema,
  QualityRuleSchema,
  QualityRulesSchema,
  GuardrailSwitchesSchema,
  ProfileSchema,
  UsageSampleSchema,
} from './profile';
export type { ProfileName, RiskTier, QualityRule, Profile, UsageSample } from './profile';
export {
  PermissionRuleSchema,
  PermissionProfileSchema,
  PermissionRoleKeySchema,
  PermissionPolicyFileSchema,
  AuthzStepSchema,
  AuthzDecisionSchema,
} from './permissions';
export type { PermissionProfile, PermissionPolicyFile, AuthzStep, AuthzDecision } from './permissions';
export {
  MODE_TTL_MAX_MS,
  ModeTransitionSchema,
  ModeGateSchema,
  TeamModeGetInputSchema,
  TeamModeGetOutputSchema,
  TeamModeSetInputSchema,
  TeamModeSetOutputSchema,
  PlanReviewStatusSchema,
  PlanReviewSchema,
  TeamPlanInputSchema,
  TeamPlanOutputSchema,
} from './tools/mode-tools';
export type { PlanReview } from './tools/mode-tools';
