import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { makeDirectory } from '@codex-team/store';
import { installServerEntry, readText, uninstallServerEntry, writeAtomically } from './codex-config';
import { codexConfigPath, installedSkillPath } from './codex-paths';
import type { McpEntry, McpServerEntry, McpUrlEntry } from './config-block';
import { installSkill, uninstallSkill } from './skill-files';

/** Codex waits this long for `codex-team-mcp` to start; opening a busy store can take seconds. */
export const STARTUP_TIMEOUT_SEC = 30;
/** Codex waits this long for one tool call: a write may wait out other writers (FACTS: 1-5 s). */
export const TOOL_TIMEOUT_SEC = 120;

export interface InstallOptions {
  codexHome: string;
  /** The `[mcp_servers.<name>]` key; the model sees the tools as `mcp__<name>`. */
  serverName: string;
  /** Absolute path of the store file the server opens. */
  dbPath: string;
  /** Absolute path of the user's profile directory the server reads; omitted: the server's default. */
  profilesDir?: string;
  /** Absolute path of the Node binary Codex runs the server with. */
  nodePath: string;
  /** Absolute path of `codex-team-mcp`'s bin.js; it must exist. */
  serverBin: string;
  /** The SKILL.md text to install. */
  skillText: string;
  /**
   * Register a running `codex-team serve --http` instead of a process: its endpoint and the
   * environment variable Codex reads the bearer token from. The store options are then unused.
   */
  http?: { url: string; bearerTokenEnvVar: string };
}

export interface InstallResult {
  configPath: string;
  configChanged: boolean;
  skillPath: string;
  skillChanged: boolean;
  entry: McpEntry;
}

/** The entry `install` writes for a server binary, store file and (optionally) profile directory. */
export function serverEntryFor(nodePath: string, serverBin: string, dbPath: string, profilesDir?: string): McpServerEntry {
  return {
    command: nodePath,
    args: [serverBin, '--db', dbPath, ...(profilesDir === undefined ? [] : ['--profiles-dir', profilesDir])],
    startupTimeoutSec: STARTUP_TIMEOUT_SEC,
    toolTimeoutSec: TOOL_TIMEOUT_SEC,
  };
}

/** The entry `install --url` writes for a `codex-team serve --http` endpoint. */
export function urlEntryFor(url: string, bearerTokenEnvVar: string): McpUrlEntry {
  return { url, bearerTokenEnvVar, startupTimeoutSec: STARTUP_TIMEOUT_SEC, toolTimeoutSec: TOOL_TIMEOUT_SEC };
}

/**
 * Registers codex-team with a Codex home: the MCP server entry in config.toml and the skill.
 * Throws NOT_FOUND when the server binary is missing (not built), CONFLICT / INVALID_INPUT as
 * `installServerEntry` does, FILE_ACCESS when the Codex home cannot be written; in every refusal
 * nothing is written (or what was written is put back).
 */
export function installCodexIntegration(options: InstallOptions): InstallResult {
  if (options.http === undefined && !existsSync(options.serverBin)) {
    throw new TeamError('NOT_FOUND', `codex-team-mcp is not built: ${options.serverBin} is missing (run npm run build)`);
  }
  const configPath = codexConfigPath(options.codexHome);
  const skillPath = installedSkillPath(options.codexHome);
  // The Codex home first: one that cannot be written is refused before any file changes.
  makeDirectory(dirname(configPath));
  const entry =
    options.http === undefined
      ? serverEntryFor(options.nodePath, options.serverBin, options.dbPath, options.profilesDir)
      : urlEntryFor(options.http.url, options.http.bearerTokenEnvVar);
  const before = readText(configPath);
  const configChanged = installServerEntry(configPath, options.serverName, entry);
  try {
    const skillChanged = installSkill(skillPath, options.skillText);
    return { configPath, configChanged, skillPath, skillChanged, entry };
  } catch (error) {
    // Nothing half-installed: the config goes back to what it was.
    if (configChanged) {
      if (before === undefined) rmSync(configPath, { force: true });
      else writeAtomically(configPath, before);
    }
    throw error;
  }
}

export interface UninstallResult {
  configPath: string;
  configChanged: boolean;
  skillPath: string;
  skillRemoved: boolean;
}

/** Removes what `installCodexIntegration` added; the store file is kept. */
export function uninstallCodexIntegration(codexHome: string, serverName: string): UninstallResult {
  const configPath = codexConfigPath(codexHome);
  const configChanged = uninstallServerEntry(configPath, serverName);
  const skillPath = installedSkillPath(codexHome);
  const skillRemoved = uninstallSkill(skillPath);
  return { configPath, configChanged, skillPath, skillRemoved };
}
