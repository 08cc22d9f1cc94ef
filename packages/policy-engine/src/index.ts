// Public API of @codex-team/policy-engine: profiles, roles and the pure policy decisions.
export { refusalError } from './decision';
export type { PolicyDecision, PolicyRefusal, Ruling } from './decision';
export {
  admissionRuling,
  leadOnlyRuling,
  messageBodyRuling,
  modeChangeRuling,
  modeGateRuling,
  modeLapse,
  teamSizeRuling,
  threadCapOf,
  usageRateRuling,
  usageRuling,
} from './team-rules';
export { parseProfile } from './parse-profile';
export { readYamlFile } from './yaml-file';
export type { YamlFileKind, FileProblem } from './yaml-file';
export { findBuiltinProfilesDir } from './load-profiles';
export { ProfileCatalog, defaultUserProfilesDir } from './profile-catalog';
export type { PortableProfileCatalog } from './profile-catalog';
export { profileChanges } from './profile-diff';
export { redactSecrets, redactDeep } from './redact-secrets';
export { DEFAULT_WORK_ROLE, describeRole } from './role-catalog';
export { budgetCeiling, budgetState, USAGE_RATE_WINDOW_MS } from './budget';
export type { BudgetState, BudgetedAction } from './budget';
export { ANY_ROLE, recommendFanout } from './fanout';
export type { FanoutRecommendation } from './fanout';
export { LONG_BODY_HINT } from './message-policy';
export { idleVerdict, teamIdleVerdict, earlyStopVerdict } from './guardrails';
export type { EarlyStopVerdict } from './guardrails';
export { TOOL_ACTIONS, actionsOfCall } from './permission-actions';
export { PermissionPolicy, PERMISSION_KEYS } from './permission-policy';
export type { CallPermission } from './permission-policy';
export { loadPermissionPolicy, findBuiltinPermissionsFile } from './load-permissions';
export { checkGrant } from './grants';
export { renderPermissionTable, permissionColumns } from './render-permissions';
export type { PermissionColumn } from './render-permissions';
export { gatesOf, decideModeGate } from './modes';
export type { ModeCallFacts } from './modes';
export { decideModeTransition } from './mode-transitions';
export { renderModeReference } from './render-modes';
export type { CodexThreadCap } from './thread-cap';
export { decideStop } from './stop-verdict';
export type { StopVerdict } from './stop-verdict';
