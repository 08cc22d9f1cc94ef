// Public API of @codex-team/contracts.
export { ErrorBodySchema, TeamError, isTeamError, fileAccessError, fileErrorReason } from './errors';
export type { ErrorCode, ErrorBody, RefusalKind } from './errors';
export type { TeamSnapshot, AckRecord, UsageRecord } from './team-snapshot';
export { LIMITS, DEFAULTS } from './limits';
export {
  RoleSchema,
  LEAD_ROLE,
  TeamModeSchema,
  TeamSchema,
  AgentSchema,
  TaskStatusSchema,
  TERMINAL_TASK_STATUSES,
  TaskSchema,
  MessageSchema,
  ArtifactSchema,
  RiskTierSchema,
  TaskReviewSchema,
} from './entities';
export type {
  TeamId,
  AgentId,
  IdPrefix,
  Role,
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
  ReviewVerdict,
  TaskReview,
} from './entities';
export { RandomIdGenerator, TicketIssuer, hashTicket, seededRandom, systemClock, toBase32 } from './runtime';
export type { Clock, IdGenerator } from './runtime';
export {
  TicketSchema,
  TeamStartOutputSchema,
  TeamSpawnOutputSchema,
  TeamJoinOutputSchema,
  TeamStatusOutputSchema,
} from './tools/team-tools';
export { TaskNextOutputSchema } from './tools/task-tools';
export { InboxOutputSchema } from './tools/message-tools';
export { ArtifactPublishOutputSchema, ARTIFACT_READ_CHARS } from './tools/artifact-tools';
export {
  TaskRowSchema,
  teamRef,
  agentRef,
  taskRow,
  claimedTask,
  messageRow,
  artifactRow,
  cutText,
  programOnly,
} from './tools/compact-rows';
export type { TeamRef, AgentRef, TaskRow, ClaimedTask, MessageRow, ArtifactRow } from './tools/compact-rows';
export { statusHints } from './tools/policy-tools';
export type { StaffingHints, StatusHints } from './tools/policy-tools';
export { BriefSchema, BRIEF_MESSAGES_MAX, BRIEF_EXCERPT_CHARS } from './tools/brief';
export type { Brief, BriefClaim, BriefMessage } from './tools/brief';
export { CHECKPOINT_FORMAT, CHECKPOINT_ARTIFACT, CheckpointRefSchema } from './tools/checkpoint-tools';
export type { CheckpointRef } from './tools/checkpoint-tools';
export { isRunSummary } from './tools/observability-tools';
export type { RunSummary } from './tools/observability-tools';
export { TEAM_SCOPED_TOOLS, TOOL_CONTRACTS, TOOL_NAMES } from './tools/catalog';
export type { ToolContract, ToolName, ToolInput, ToolOutput } from './tools/catalog';
export { jsonSchemaOf, generatedJsonSchemas } from './generate/json-schemas';
export { renderToolReference } from './generate/tool-reference';
export { ProfileNameSchema, ProfileSchema, UsageSampleSchema } from './profile';
export type { ChildFailure, RiskTier, QualityRule, Profile, UsageSample, AgentCaps, CheckpointPolicy } from './profile';
export {
  HOOK_SUBJECTS,
  HOOK_EVENT_NAMES,
  HOOK_TIMEOUT_DEFAULT_S,
  HOOK_TIMEOUT_MAX_S,
  CommandHookSchema,
  HookMatcherGroupSchema,
  HooksConfigSchema,
  HooksFileSchema,
  HookAnswerSchema,
  HookInputSchema,
} from './hooks';
export type { HookSubject, HookPhase, HookEventName, CommandHook, HookMatcherGroup, HooksConfig, HookAnswer, HookInput } from './hooks';
export { PermissionPolicyFileSchema } from './permissions';
export type { PermissionPolicyFile, AuthzStep, AuthzDecision } from './permissions';
export type { PlanReview } from './tools/mode-tools';
