import { isAbsolute, join, resolve } from 'node:path';
import { defaultUserProfilesDir } from '@codex-team/policy-engine';
import { defaultDbPath } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { UsageError } from '../errors';

/** The MCP server name codex-team registers unless told otherwise; the model sees `mcp__team`. */
export const DEFAULT_SERVER_NAME = 'team';

/** The folder name of the skill under `$CODEX_HOME/skills/`. */
export const SKILL_DIR_NAME = 'codex-team';

/**
 * Codex's home: `--codex-home` wins, then `$CODEX_HOME`, then `~/.codex` (Codex's own rule).
 * Relative paths resolve against the working directory.
 */
export function resolveCodexHome(flag: string | undefined, io: CliIo): string {
  if (flag !== undefined && flag !== '') return resolve(io.cwd, flag);
  const env = io.env['CODEX_HOME'];
  if (env !== undefined && env !== '') return resolve(io.cwd, env);
  return join(io.homeDir, '.codex');
}

/**
 * The store file, made absolute now: Codex starts MCP servers with a filtered environment, so
 * `$CODEX_TEAM_DB` / `$CODEX_TEAM_HOME` of the installing shell would not reach the server.
 */
export function resolveDbPath(flag: string | undefined, io: CliIo): string {
  if (flag !== undefined && flag !== '') return resolve(io.cwd, flag);
  const path = defaultDbPath(io.env, io.homeDir);
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/**
 * The user's profile directory, made absolute now for the same reason as the store path:
 * `--profiles-dir` wins, then `$CODEX_TEAM_HOME/profiles`, then `~/.codex-team/profiles`.
 */
export function resolveProfilesDir(flag: string | undefined, io: CliIo): string {
  if (flag !== undefined && flag !== '') return resolve(io.cwd, flag);
  const path = defaultUserProfilesDir(io.env, io.homeDir);
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** `config.toml` of a Codex home. */
export function codexConfigPath(codexHome: string): string {
  return join(codexHome, 'config.toml');
}

/** Where the skill is installed in a Codex home. */
export function installedSkillPath(codexHome: string): string {
  return join(codexHome, 'skills', SKILL_DIR_NAME, 'SKILL.md');
}

const SERVER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Checks an MCP server name: Codex accepts `[A-Za-z0-9_-]` and the model sees `mcp__<name>__...`
 * capped at 64 bytes, so names stay short. Throws a UsageError otherwise.
 */
export function checkServerName(name: string): string {
  if (!SERVER_NAME.test(name)) {
    throw new UsageError(`--name must be 1-32 letters, digits, "_" or "-", got ${JSON.stringify(name)}`);
  }
  return name;
}
