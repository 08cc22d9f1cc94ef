import { existsSync } from 'node:fs';
import { TeamError } from '@codex-team/contracts';
import type { CodexThreadCap } from '@codex-team/policy-engine';
import { installServerEntry, uninstallServerEntry } from './codex-config';
import { TEAM_HOOKS, hookCommandLine, installHooks, uninstallHooks, type TeamHookEvent } from './codex-hooks';
import { skillNameFor, skillPathIn, type CodexTarget } from './codex-paths';
import type { McpServerEntry } from './config-block';
import { installSkill, renderSkill, uninstallSkill } from './skill-files';

/** Codex waits this long for `codex-team-mcp` to start; opening a busy store can take seconds. */
export const STARTUP_TIMEOUT_SEC = 30;
/** Codex waits this long for one tool call: a write may wait out other writers (FACTS: 1-5 s). */
export const TOOL_TIMEOUT_SEC = 120;

export interface InstallOptions {
  /** The user's Codex home or a project's `.codex/` layer. */
  target: CodexTarget;
  /** The `[mcp_servers.<name>]` key; the model sees the tools as `mcp__<name>`. */
  serverName: string;
  /** Absolute path of the store file the server opens. */
  dbPath: string;
  /** Absolute path of the user's profile directory the server reads; omitted: the server's default. */
  profilesDir?: string;
  /** Absolute path of a lifecycle hooks file the server runs for every team (`--hooks`); omitted: none. */
  hooksFile?: string;
  /** Absolute path of the Node binary Codex runs the server (and the hooks) with. */
  nodePath: string;
  /** Absolute path of the installed `codex-team-mcp` bundle; it must exist. */
  serverBin: string;
  /** Codex's cap on teammates, handed to the server. */
  codexThreadCap: CodexThreadCap;
  /** The shipped SKILL.md; rendered for this install's name. */
  skillTemplate: string;
  /** With `--hooks`: the runtime CLI bundle the hooks run, and their log file. */
  hooks?: { cliBin: string; logPath: string };
}

export interface InstallResult {
  configPath: string;
  configChanged: boolean;
  skillPath: string;
  skillChanged: boolean;
  /** The hooks.json written, with `--hooks`. */
  hooksPath: string | null;
  hooksChanged: boolean;
  entry: McpServerEntry;
}

/** The entry `install` writes: the runtime's server bundle with the store, profiles, name, Codex's cap and the lifecycle hooks file. */
export function serverEntryFor(options: Pick<InstallOptions, 'nodePath' | 'serverBin' | 'dbPath' | 'profilesDir' | 'serverName' | 'codexThreadCap' | 'hooksFile'>): McpServerEntry {
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
    ],
    startupTimeoutSec: STARTUP_TIMEOUT_SEC,
    toolTimeoutSec: TOOL_TIMEOUT_SEC,
  };
}

/**
 * Registers codex-team with a Codex target: the MCP server entry in its config.toml, the skill of
 * this install's name and, with `hooks`, the Stop and SubagentStop hooks in its hooks.json (never
 * their trust: the user reviews them in Codex). Throws NOT_FOUND when the server bundle is
 * missing, CONFLICT / INVALID_INPUT as `installServerEntry` does; in every refusal nothing is written.
 */
export function installCodexIntegration(options: InstallOptions): InstallResult {
  if (!existsSync(options.serverBin)) {
    throw new TeamError('NOT_FOUND', `codex-team-mcp is not built: ${options.serverBin} is missing (run npm run build)`);
  }
  const { target, serverName } = options;
  const entry = serverEntryFor(options);
  const configChanged = installServerEntry(target.configPath, serverName, entry);
  const skillPath = skillPathIn(target, serverName);
  const skillChanged = installSkill(skillPath, renderSkill(options.skillTemplate, serverName, skillNameFor(serverName)));
  let hooksChanged = false;
  if (options.hooks !== undefined) {
    const { cliBin, logPath } = options.hooks;
    const commands = Object.fromEntries(
      TEAM_HOOKS.map(({ event, arg }) => [
        event,
        hookCommandLine({ nodePath: options.nodePath, cliBin, arg, dbPath: options.dbPath, logPath, serverName }),
      ]),
    ) as Record<TeamHookEvent, string>;
    hooksChanged = installHooks(target.hooksPath, serverName, commands);
  }
  return {
    configPath: target.configPath,
    configChanged,
    skillPath,
    skillChanged,
    hooksPath: options.hooks === undefined ? null : target.hooksPath,
    hooksChanged,
    entry,
  };
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
