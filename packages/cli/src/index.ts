// Public API of @codex-team/cli: the command runner and table (other commands plug in here), the
// Codex integration used by `install` / `uninstall` / `doctor`, and the scripted Responses
// endpoint that drives a real Codex offline in tests and demos.
export { runCli, USAGE_EXIT_CODE } from './run-cli';
export { BufferSink } from './cli-io';
export type { CliIo, TextSink } from './cli-io';
export { COMMANDS } from './commands/index';
export { stringOption, flagOption } from './commands/command';
export type { Command, OptionsConfig, OptionValues, ParsedArgs } from './commands/command';
export {
  DEFAULT_SERVER_NAME,
  resolveCodexHome,
  resolveDbPath,
  codexConfigPath,
  installedSkillPath,
} from './codex/codex-paths';
export {
  installCodexIntegration,
  uninstallCodexIntegration,
  serverEntryFor,
  STARTUP_TIMEOUT_SEC,
  TOOL_TIMEOUT_SEC,
} from './codex/codex-integration';
export type { InstallOptions, InstallResult, UninstallResult } from './codex/codex-integration';
export type { McpServerEntry } from './codex/config-block';
export { readServerEntry } from './codex/codex-config';
export type { ConfiguredServer } from './codex/codex-config';
export { mcpServerBinPath, readShippedSkill } from './codex/package-assets';
export { runDoctorChecks } from './doctor/doctor-checks';
export type { DoctorCheck, DoctorOptions } from './doctor/doctor-checks';
export { ScriptedResponses, mcpCall, agentCall, toolOutputText } from './e2e/scripted-responses';
export type { AgentProgram, ScriptFactory, ThreadInfo, ToolCall, ToolResult, TranscriptEntry, RecordedRequest } from './e2e/scripted-responses';
export { runCodex, runCodexExec, writeScriptedProviderConfig, codexLauncherPath } from './e2e/codex-exec';
export type { CodexRunOptions, CodexRunResult } from './e2e/codex-exec';
