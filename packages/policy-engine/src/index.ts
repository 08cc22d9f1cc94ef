// Public API of @codex-team/policy-engine: profiles, roles and the pure policy decisions.
export { allow, deny } from './decision';
export type { PolicyDecision } from './decision';
export { parseProfile, profileNameOfSource, WHOLE_FILE } from './parse-profile';
export type { ProfileProblem } from './parse-profile';
export { loadProfiles, resolveProfile, findBuiltinProfilesDir } from './load-profiles';
export type { LoadProfilesOptions, LoadedProfile, ProfileOrigin, ProfileSet } from './load-profiles';
export { ProfileCatalog, defaultUserProfilesDir } from './profile-catalog';
export { profileChanges } from './profile-diff';
export { REDACTED_PREFIX, redactSecrets, redactDeep, containsSecret } from './redact-secrets';
export type { Redaction, DeepRedaction } from './redact-secrets';
export { KNOWN_ROLES, ROLE_CATALOG, DEFAULT_WORK_ROLE, isKnownRole, describeRole } from './role-catalog';
export type { KnownRole, RoleInfo } from './role-catalog';
export {
  budgetState,
  tokensOf,
  chargeUsage,
  budgetGate,
  assertBudgetAllows,
  budgetCeiling,
  decideUsageRate,
  assertUsageRate,
  USAGE_RATE_WINDOW_MS,
} from './budget';
export type { BudgetState, BudgetStateName, BudgetedAction, UsageCharge, UsageRateFacts } from './budget';
export { ANY_ROLE, recommendFanout } from './fanout';
export type { FanoutInput, FanoutRecommendation, SpawnRecommendation } from './fanout';
export { LONG_BODY_HINT, checkMessageBody, assertMessageBody } from './message-policy';
export type { MessageBodyDecision } from './message-policy';
export { idleVerdict, teamIdleVerdict, earlyStopVerdict } from './guardrails';
export type {
  AgentIdleInput,
  AgentIdleVerdictName,
  EarlyStopVerdict,
  IdleVerdict,
  TeamIdleInput,
} from './guardrails';
export { qualityRuleFor } from './quality';
export { TOOL_ACTIONS, actionsOfCall } from './permission-actions';
export type { ToolActions } from './permission-actions';
export {
  PermissionPolicy,
  PERMISSION_KEYS,
  DEFAULT_DENY_RULE,
  NO_PROFILE_RULE,
  patternMatches,
  ruleId,
} from './permission-policy';
export type { PermissionRule, PermissionDecision, CallPermission, ResolvedProfile, RuleEffect } from './permission-policy';
export { parsePermissionPolicy, LEAD_RESERVED_TOOLS, reservedAllows } from './parse-permissions';
export { loadPermissionPolicy, findBuiltinPermissionsFile } from './load-permissions';
export { checkGrant } from './grants';
export type { GrantDecision } from './grants';
export { renderPermissionTable, permissionColumns, whoMayCall } from './render-permissions';
export type { PermissionColumn } from './render-permissions';
export { PLANNING_ROLES, MODE_GATES, gatesOf, decideModeGate } from './modes';
export type { ModeCallFacts, ModeGate } from './modes';
export { MODE_TRANSITIONS, decideModeTransition } from './mode-transitions';
export type { ModeTransitionEdge, ModeTransitionFacts } from './mode-transitions';
export { renderModeReference } from './render-modes';
