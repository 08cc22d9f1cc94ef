import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { defaultUserProfilesDir } from '@codex-team/policy-engine';
import { defaultDbPath, isPostgresUrl, redactStoreLocation } from '@codex-team/store';
import type { CliIo } from '../cli-io';
import { UsageError } from '../errors';

/** The MCP server name codex-team registers unless told otherwise; the model sees `mcp__team`. */
export const DEFAULT_SERVER_NAME = 'team';

/** The skill's name (and folder under `skills/`) for the default server name. */
export const SKILL_DIR_NAME = 'codex-team';

/**
 * The skill of one install: `codex-team` for the default server name, `codex-team-<name>` for
 * another, so two installs keep a skill each and uninstalling one leaves the other's.
 */
export function skillNameFor(serverName: string): string {
  return serverName === DEFAULT_SERVER_NAME ? SKILL_DIR_NAME : `${SKILL_DIR_NAME}-${serverName}`;
}

/** Where `install` writes for Codex: the user's Codex home, or one project's `.codex/` layer. */
export interface CodexTarget {
  scope: 'user' | 'project';
  /** The config.toml that gets the `[mcp_servers.<name>]` block. */
  configPath: string;
  /** The folder holding skill folders. */
  skillsDir: string;
  /** The hooks.json `--hooks` adds to. */
  hooksPath: string;
  /** The project folder, for a project install. */
  projectDir?: string;
}

/** The user's Codex home as an install target. */
export function userTarget(codexHome: string): CodexTarget {
  return { scope: 'user', configPath: join(codexHome, 'config.toml'), skillsDir: join(codexHome, 'skills'), hooksPath: join(codexHome, 'hooks.json') };
}

/**
 * A project's own Codex layer (`<dir>/.codex/`). Codex 0.171 reads its config.toml and hooks.json
 * only when the user trusts the project (`[projects."<dir>"] trust_level = "trusted"` in the user's
 * config, written when they accept Codex's trust prompt); its skills are read either way.
 */
export function projectTarget(projectDir: string): CodexTarget {
  const dotCodex = join(projectDir, '.codex');
  return {
    scope: 'project',
    configPath: join(dotCodex, 'config.toml'),
    skillsDir: join(dotCodex, 'skills'),
    hooksPath: join(dotCodex, 'hooks.json'),
    projectDir,
  };
}

/** Where the skill of an install lives in a target. */
export function skillPathIn(target: CodexTarget, serverName: string): string {
  return join(target.skillsDir, skillNameFor(serverName), 'SKILL.md');
}

/**
 * The codex-team home: `$CODEX_TEAM_HOME`, else `~/.codex-team`. Runtimes (`versions/`), the
 * default store and per-project stores live there.
 */
export function resolveTeamHome(io: CliIo): string {
  const env = io.env['CODEX_TEAM_HOME'];
  return env !== undefined && env !== '' ? resolve(io.cwd, env) : join(io.homeDir, '.codex-team');
}

/**
 * A project's own store, by default for a project install: under the codex-team home rather than
 * in the repository (a database does not belong in version control), one per project folder.
 */
export function projectStorePath(teamHome: string, projectDir: string): string {
  const id = createHash('sha256').update(projectDir).digest('hex').slice(0, 10);
  return join(teamHome, 'projects', `${basename(projectDir) || 'root'}-${id}`, 'team.db');
}

/**
 * Where an install's processes keep their logs, one file per kind and install name: the servers'
 * (`--log-file`: Codex keeps no server's stderr) and the lifecycle hooks' (`hook --log`).
 */
export function installLogPath(teamHome: string, kind: 'server' | 'hooks', serverName: string): string {
  return join(teamHome, 'logs', `${kind}-${serverName}.log`);
}

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

/** The store as named: `--db`, else `$CODEX_TEAM_DB`, `$CODEX_TEAM_HOME/team.db` or `~/.codex-team/team.db`. */
function namedStore(flag: string | undefined, io: CliIo): string {
  return flag !== undefined && flag !== '' ? flag : defaultDbPath(io.env, io.homeDir);
}

/**
 * The store as a command names it: a PostgreSQL URL as given, else the store file made absolute
 * now. install and doctor hand it to the servers (Codex starts MCP servers with a filtered
 * environment, so `$CODEX_TEAM_DB` / `$CODEX_TEAM_HOME` of the installing shell would not reach
 * them); the operator's verbs open it (team-view/store-engine.ts); the hook reads a file only.
 */
export function resolveStoreLocation(flag: string | undefined, io: CliIo): string {
  const location = namedStore(flag, io);
  return isPostgresUrl(location) ? location : resolve(io.cwd, location);
}

/**
 * The store file of a command that works on SQLite only, made absolute. A PostgreSQL URL is refused
 * with one USAGE line saying `why` the command needs a file, its password masked, before anything
 * is made at a path read out of the URL. The operator's verbs open either engine (store-engine.ts).
 */
export function resolveStoreFile(flag: string | undefined, io: CliIo, why: string): string {
  const location = namedStore(flag, io);
  if (isPostgresUrl(location)) {
    throw new UsageError(`${why}, not the PostgreSQL database ${redactStoreLocation(location)}`);
  }
  return resolve(io.cwd, location);
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

/** Where the skill of an install is in a Codex home. */
export function installedSkillPath(codexHome: string, serverName = DEFAULT_SERVER_NAME): string {
  return skillPathIn(userTarget(codexHome), serverName);
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
