import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import type { CodexThreadCap } from '@codex-team/policy-engine';
import { makeDirectory } from '@codex-team/store';
import { installServerEntry, readText, uninstallServerEntry, writeAtomically } from './codex-config';
import { TEAM_HOOKS, hookCommandLine, installHooks, readHooksFile, uninstallHooks, type TeamHookEvent } from './codex-hooks';
import { skillNameFor, skillPathIn, type CodexTarget } from './codex-paths';
import type { McpEntry, McpServerEntry, McpUrlEntry } from './config-block';
import { installSkill, renderSkill, uninstallSkill } from './skill-files';

/** Codex waits this long for `codex-team-mcp` to start; opening a busy store can take seconds. */
export const STARTUP_TIMEOUT_SEC = 30;
/** Codex waits this long for one tool call: a write may wait out other writers (FACTS: 1-5 s). */
export const TOOL_TIMEOUT_SEC = 120;

/** Where and under which name an install goes, whatever Codex connects to. */
interface InstallTargetOptions {
  /** The user's Codex home or a project's `.codex/` layer. */
  target: CodexTarget;
  /** The `[mcp_servers.<name>]` key; the model sees the tools as `mcp__<name>`. */
  serverName: string;
  /** The shipped SKILL.md; rendered for this install's name. */
  skillTemplate: string;
}

/** An install whose server Codex starts itself: the runtime's `codex-team-mcp` on stdio. */
export interface ProcessInstallOptions extends InstallTargetOptions {
  /** Absolute path of the store file the server opens. */
  dbPath: string;
  /** Absolute path of the user's profile directory the server reads; omitted: the server's default. */
  profilesDir?: string;
  /** Absolute path of a lifecycle hooks file the server runs for every team (`--hooks`); omitted: none. */
  hooksFile?: string;
  /** Absolute path of the file the server also appends its log lines to (`--log-file`); omitted: stderr only. */
  logFile?: string;
  /** Absolute path of the Node binary Codex runs the server (and the hooks) with. */
  nodePath: string;
  /** Absolute path of the installed `codex-team-mcp` bundle; it must exist. */
  serverBin: string;
  /** Codex's cap on teammates, handed to the server. */
  codexThreadCap: CodexThreadCap;
  /** With `--hooks`: the runtime CLI bundle the hooks run, and their log file. */
  hooks?: { cliBin: string; logPath: string };
}

/**
 * An install that connects Codex to a running `codex-team serve --http` (`install --url`): its
 * endpoint and the environment variable Codex reads the bearer token from. The store, profiles and
 * Codex's cap are the server's own flags.
 */
export interface UrlInstallOptions extends InstallTargetOptions {
  url: string;
  bearerTokenEnvVar: string;
}

export type InstallOptions = ProcessInstallOptions | UrlInstallOptions;

export interface InstallResult {
  configPath: string;
  configChanged: boolean;
  skillPath: string;
  skillChanged: boolean;
  /** The hooks.json written, with `--hooks`. */
  hooksPath: string | null;
  hooksChanged: boolean;
  entry: McpEntry;
}

/**
 * The entry `install` writes: the runtime's server bundle with the store, profiles, name, Codex's
 * cap, the lifecycle hooks file, the log file (Codex keeps no server's stderr) and, for a user
 * install, the Codex home whose session rollouts measure token usage (Codex starts servers with a
 * filtered environment: CODEX_HOME may not reach them).
 */
export function serverEntryFor(
  options: Pick<ProcessInstallOptions, 'nodePath' | 'serverBin' | 'dbPath' | 'profilesDir' | 'serverName' | 'codexThreadCap' | 'hooksFile' | 'logFile'> & {
    target?: CodexTarget;
  },
): McpServerEntry {
  return {
    command: options.nodePath,
    args: [
      options.serverBin,
      '--db',
      options.dbPath,
      ...(options.profilesDir === undefined ? [] : ['--profiles-dir', options.profilesDir]),
      '--name',
      options.serverName,
      '--codex-thread-cap',
      String(options.codexThreadCap.teammates),
      '--codex-thread-cap-from',
      options.codexThreadCap.from,
      ...(options.hooksFile === undefined ? [] : ['--hooks', options.hooksFile]),
      ...(options.target?.scope === 'user' ? ['--codex-home', dirname(options.target.configPath)] : []),
      ...(options.logFile === undefined ? [] : ['--log-file', options.logFile]),
    ],
    startupTimeoutSec: STARTUP_TIMEOUT_SEC,
    toolTimeoutSec: TOOL_TIMEOUT_SEC,
  };
}

/** The entry `install --url` writes for a `codex-team serve --http` endpoint (Codex 0.171: `url` + `bearer_token_env_var`). */
export function urlEntryFor(url: string, bearerTokenEnvVar: string): McpUrlEntry {
  return { url, bearerTokenEnvVar, startupTimeoutSec: STARTUP_TIMEOUT_SEC, toolTimeoutSec: TOOL_TIMEOUT_SEC };
}

/** The config entry of an install: the process Codex starts, or the url it connects to. */
function entryOf(options: InstallOptions): McpEntry {
  return 'url' in options ? urlEntryFor(options.url, options.bearerTokenEnvVar) : serverEntryFor(options);
}

/** Puts a file back as it was before an install step wrote it (undefined: it did not exist). */
function restoreText(path: string, before: string | undefined): void {
  if (before === undefined) rmSync(path, { force: true });
  else writeAtomically(path, before);
}

/**
 * Registers codex-team with a Codex target: the MCP server entry in its config.toml, the skill of
 * this install's name and, with `hooks`, the Stop and SubagentStop hooks in its hooks.json (never
 * their trust: the user reviews them in Codex). Throws NOT_FOUND when the server bundle is missing,
 * CONFLICT / INVALID_INPUT as `installServerEntry` and `installHooks` do, FILE_ACCESS when the
 * target cannot be written; in every refusal nothing is written (or what was written is put back).
 */
export function installCodexIntegration(options: InstallOptions): InstallResult {
  const local = 'url' in options ? undefined : options;
  if (local !== undefined && !existsSync(local.serverBin)) {
    throw new TeamError('NOT_FOUND', `codex-team-mcp is not built: ${local.serverBin} is missing (run npm run build)`);
  }
  const { target, serverName } = options;
  // What can be refused is refused before any file changes: a target folder that cannot be
  // written, a hooks.json that is not one.
  makeDirectory(dirname(target.configPath));
  if (local?.hooks !== undefined) readHooksFile(target.hooksPath);
  const entry = entryOf(options);
  const skillPath = skillPathIn(target, serverName);
  const before = { config: readText(target.configPath), skill: readText(skillPath) };
  const configChanged = installServerEntry(target.configPath, serverName, entry);
  let skillChanged = false;
  try {
    skillChanged = installSkill(skillPath, renderSkill(options.skillTemplate, serverName, skillNameFor(serverName)));
    let hooksChanged = false;
    if (local?.hooks !== undefined) {
      const { cliBin, logPath } = local.hooks;
      const commands = Object.fromEntries(
        TEAM_HOOKS.map(({ event, arg }) => [event, hookCommandLine({ nodePath: local.nodePath, cliBin, arg, dbPath: local.dbPath, logPath, serverName })]),
      ) as Record<TeamHookEvent, string>;
      hooksChanged = installHooks(target.hooksPath, serverName, commands);
    }
    return {
      configPath: target.configPath,
      configChanged,
      skillPath,
      skillChanged,
      hooksPath: local?.hooks === undefined ? null : target.hooksPath,
      hooksChanged,
      entry,
    };
  } catch (error) {
    // Nothing half-installed: what this install wrote goes back to what it was.
    if (skillChanged && before.skill === undefined) uninstallSkill(skillPath, skillNameFor(serverName));
    else if (skillChanged) restoreText(skillPath, before.skill);
    if (configChanged) restoreText(target.configPath, before.config);
    throw error;
  }
}

export interface UninstallResult {
  configPath: string;
  configChanged: boolean;
  skillPath: string;
  skillRemoved: boolean;
  hooksPath: string;
  hooksRemoved: boolean;
}

/**
 * Removes what `installCodexIntegration` added for this server name: its config block, its skill
 * and its hooks. Other names' blocks, skills and hooks, the user's own, the store and the
 * installed runtime are kept.
 */
export function uninstallCodexIntegration(target: CodexTarget, serverName: string): UninstallResult {
  const configChanged = uninstallServerEntry(target.configPath, serverName);
  const skillPath = skillPathIn(target, serverName);
  const skillRemoved = uninstallSkill(skillPath, skillNameFor(serverName));
  const hooksRemoved = uninstallHooks(target.hooksPath, serverName);
  return { configPath: target.configPath, configChanged, skillPath, skillRemoved, hooksPath: target.hooksPath, hooksRemoved };
}
