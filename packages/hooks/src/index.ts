// Public API of @codex-team/hooks: lifecycle hook events, the registry, the combination of verdicts
// (deny beats allow, independent of order), the built-in quality gates and the engine that runs
// command hooks through an injected runner.
export { HOOK_SUBJECT_INFO, hookEventName, hookSubjectOfTool, phaseOf } from './events';
export type { HookSubjectInfo } from './events';
export { combineHookRuns, auditedRun, maskedText, blockRule, hookBlockError } from './hook-run';
export type { HookRun, HookOutcome, HookFailure } from './hook-run';
export { HookRegistry } from './registry';
export type { RegisteredHook, HookFileSource } from './registry';
export { commandHookRun } from './command-verdict';
export type { HookCommand, CommandResult, HookCommandRunner } from './command-verdict';
export { HookEngine, hookStdin } from './engine';
export type { HookEngineOptions } from './engine';
export { completionGates, claimCapGates } from './quality-gates';
export type { CompletionFacts, EvidenceArtifact, ClaimReview, AgentLoad } from './quality-gates';
export { parseHooksFile } from './hooks-file';
export { renderHooksReference, EXAMPLE_HOOK_SCRIPT, EXAMPLE_HOOKS_FILE } from './render-hooks';
