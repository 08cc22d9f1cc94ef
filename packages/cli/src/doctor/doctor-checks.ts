import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, sep } from 'node:path';
import { RandomIdGenerator, isTeamError, systemClock, type ErrorCode } from '@codex-team/contracts';
import { CURRENT_SCHEMA_VERSION, isPostgresUrl, lookAtPostgresStore, openSqliteTeamStore, openSqliteTeamStoreReadOnly, redactStoreLocation, type PostgresStoreLook } from '@codex-team/store';
import { readCodexConfig, readServerEntry, type ConfiguredServer } from '../codex/codex-config';
import { findInstalledHooks, hookTrust } from '../codex/codex-hooks';
import { skillNameFor, skillPathIn, type CodexTarget } from '../codex/codex-paths';
import { childTeamSpawningOf } from '../codex/child-team-spawning';
import { codexThreadCapOf, mergeCodexConfigs, type SurfaceChoice } from '../codex/codex-thread-cap';
import { renderSkill } from '../codex/skill-files';
import { probeServer } from './server-probe';

/** One line of `codex-team doctor`. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorOptions {
  /** The user's Codex home: its config holds the trust of hooks and projects. */
  codexHome: string;
  /** Where codex-team was installed: the Codex home, or a project's `.codex/` layer. */
  target: CodexTarget;
  serverName: string;
  /** The store to check; undefined: the one the Codex entry names, else `defaultDbPath`. */
  dbPath: string | undefined;
  /** Used when neither `dbPath` nor the Codex entry names a store. */
  defaultDbPath: string;
  nodeVersion: string;
  /** The PATH to look for the `codex` binary in (`$PATH`). */
  pathEnv: string | undefined;
  /** The skill this CLI ships; the installed one must match it, rendered for the server name. */
  skillTemplate: string;
  /** The surface `install --multi-agent` pinned, if any (read back from the entry when omitted). @default 'auto' */
  surface?: SurfaceChoice;
  /**
   * Whether to start the registered server and check its MCP handshake (the real check of what
   * Codex will run). @default true
   */
  probe?: boolean;
}

/** The lowest Node major version codex-team supports. */
export const MIN_NODE_MAJOR = 20;


function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function checkNode(version: string): DoctorCheck {
  const major = Number(version.split('.')[0]);
  return major >= MIN_NODE_MAJOR
    ? { name: 'node', ok: true, detail: `v${version} (>= ${MIN_NODE_MAJOR} required)` }
    : { name: 'node', ok: false, detail: `v${version} is too old`, fix: `install Node ${MIN_NODE_MAJOR} or newer` };
}

/** Opens a scratch store through the store package: proves the native SQLite module loads. */
export async function checkSqlite(): Promise<DoctorCheck> {
  const dir = mkdtempSync(join(tmpdir(), 'codex-team-doctor-'));
  try {
    const store = await openSqliteTeamStore({ path: join(dir, 'probe.db'), clock: systemClock, ids: new RandomIdGenerator() });
    await store.close();
    return { name: 'sqlite', ok: true, detail: `native better-sqlite3 loads; code schema v${CURRENT_SCHEMA_VERSION}` };
  } catch (error) {
    return {
      name: 'sqlite',
      ok: false,
      detail: `cannot open a SQLite store: ${describeError(error)}`,
      fix: 'rebuild the native module for this Node: npm rebuild better-sqlite3 (needs python3, make and a C++ compiler)',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function nearestExistingDir(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The failed store check for a store that could not be read: the refusal, and the fix its code calls for. */
function unreadableStore(error: unknown, location: string, fix: string | undefined): DoctorCheck {
  return {
    name: 'store',
    ok: false,
    detail: isTeamError(error) ? `${error.code}: ${error.reason}` : `${location}: ${describeError(error)}`,
    fix: fix ?? 'run codex-team doctor again with CODEX_TEAM_DEBUG=1 and report the error',
  };
}

/** A store's schema version as doctor tells it, beside the code's. */
function schemaDetail(version: number, codeVersion: number): string {
  return version === codeVersion
    ? `schema v${version} (same as the code)`
    : `schema v${version}, older than the code's v${codeVersion}: the next server start upgrades it`;
}

/** What to do about a PostgreSQL store that cannot be read, by the refusal's code. */
const POSTGRES_STORE_FIXES: Partial<Record<ErrorCode, string>> = {
  NOT_A_STORE: 'point --db (and codex-team install --db) at a database or schema of codex-team\'s own; this one was not changed',
  SCHEMA_MISMATCH: 'upgrade codex-team, or point --db at another database',
  FILE_ACCESS: 'check the URL: that the server runs there and takes this role, password and database',
};

/**
 * A PostgreSQL store, looked at without writing it (lookAtPostgresStore): reachable, a codex-team
 * store of a schema this code reads (or none yet, which the first server start makes), and every
 * table writable by the role the servers will use.
 */
async function checkPostgresStore(url: string): Promise<DoctorCheck> {
  const name = 'store';
  const shown = redactStoreLocation(url);
  let look: PostgresStoreLook;
  try {
    look = await lookAtPostgresStore(url);
  } catch (error) {
    return unreadableStore(error, shown, isTeamError(error) ? POSTGRES_STORE_FIXES[error.code] : undefined);
  }
  if (look.version === null) {
    return { name, ok: true, detail: `${shown} holds no codex-team store yet; the first server start makes one (its role needs CREATE in the schema)` };
  }
  if (look.unwritableTable !== null) {
    return {
      name,
      ok: false,
      detail: `${shown} is a codex-team store, but the role may not insert into its table ${look.unwritableTable}`,
      fix: "grant the role INSERT, UPDATE and DELETE on the store's tables, or give --db a role that may write them",
    };
  }
  return { name, ok: true, detail: `${shown} is a codex-team store the role may write, ${schemaDetail(look.version, look.codeVersion)}` };
}

/** What to do about a store that cannot be read, by the refusal's code. */
const STORE_FIXES: Partial<Record<ErrorCode, (dbPath: string) => string>> = {
  NOT_A_STORE: () => 'point --db (and codex-team install --db) at a codex-team store file, or at a path where one can be created; this file was not changed',
  SCHEMA_MISMATCH: () => 'upgrade codex-team, or point --db at another file',
  FILE_ACCESS: (dbPath) => `fix the permissions of ${dbPath} and ${dirname(dbPath)}`,
  BUSY: () => 'close the processes holding the store, then retry',
};

/**
 * The store, looked at without writing it. A file: an existing one is opened read-only (a folder,
 * a file that is not a codex-team store and a newer schema fail, each with its own fix) and must
 * be writable with its folder for the server; a missing one needs a writable folder to be created
 * in. A postgres:// URL: checkPostgresStore.
 */
export async function checkStore(dbPath: string): Promise<DoctorCheck> {
  const name = 'store';
  if (isPostgresUrl(dbPath)) return checkPostgresStore(dbPath);
  if (!existsSync(dbPath)) {
    const dir = nearestExistingDir(dbPath);
    try {
      if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
      accessSync(dir, constants.W_OK);
      return { name, ok: true, detail: `${dbPath} does not exist yet; it will be created (${dir} is writable)` };
    } catch {
      return { name, ok: false, detail: `${dbPath} cannot be created: ${dir} is not a writable folder`, fix: 'pass a writable --db PATH to codex-team install' };
    }
  }
  let version: number;
  try {
    const store = await openSqliteTeamStoreReadOnly({ path: dbPath, clock: systemClock });
    version = store.schemaVersion;
    await store.close();
  } catch (error) {
    return unreadableStore(error, dbPath, isTeamError(error) ? STORE_FIXES[error.code]?.(dbPath) : undefined);
  }
  try {
    accessSync(dbPath, constants.R_OK | constants.W_OK);
    accessSync(dirname(dbPath), constants.W_OK);
  } catch {
    return { name, ok: false, detail: `${dbPath} or its folder is not writable (SQLite needs both for its WAL files)`, fix: `fix the permissions of ${dirname(dbPath)}` };
  }
  return { name, ok: true, detail: `${dbPath} is a writable codex-team store, ${schemaDetail(version, CURRENT_SCHEMA_VERSION)}` };
}

/** The Codex versions codex-team was checked with (FACTS.md); others may work. */
export const CHECKED_CODEX_VERSIONS = ['0.169', '0.171'];

/** The first executable `name` on `pathEnv`, or undefined. */
export function findOnPath(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `codex` binary: on the PATH, and answering `codex --version`. */
export function checkCodexBinary(pathEnv: string | undefined): DoctorCheck {
  const name = 'codex';
  const path = findOnPath('codex', pathEnv);
  if (path === undefined) {
    return { name, ok: false, detail: 'no codex binary on the PATH', fix: 'install Codex: npm install -g @openai/codex' };
  }
  let version: string;
  try {
    version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: pathEnv ?? '' } }).trim();
  } catch (error) {
    return { name, ok: false, detail: `${path} --version failed: ${describeError(error).split('\n')[0] ?? ''}`, fix: 'reinstall Codex: npm install -g @openai/codex' };
  }
  const number = /(\d+\.\d+)\.\d+/.exec(version)?.[1];
  const checked = number !== undefined && CHECKED_CODEX_VERSIONS.includes(number);
  return {
    name,
    ok: true,
    detail: `${version.split('\n')[0] ?? version} at ${path}${checked ? '' : ` (codex-team was checked with ${CHECKED_CODEX_VERSIONS.join(' and ')})`}`,
  };
}

function readEntry(configPath: string, serverName: string): ConfiguredServer | DoctorCheck | undefined {
  try {
    return readServerEntry(configPath, serverName);
  } catch (error) {
    return { name: 'codex-config', ok: false, detail: describeError(error), fix: `fix ${configPath}, then run codex-team install` };
  }
}

function isCheck(value: ConfiguredServer | DoctorCheck | undefined): value is DoctorCheck {
  return value !== undefined && 'ok' in value;
}

/** The `--db` value of a registered entry's args, if it names one. */
export function dbPathOfEntry(entry: ConfiguredServer | undefined): string | undefined {
  if (entry === undefined || !Array.isArray(entry.args)) return undefined;
  const args: unknown[] = entry.args;
  const at = args.indexOf('--db');
  const value = at === -1 ? undefined : args[at + 1];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a registered entry connects to a running server (`url = ...`) rather than starting one. */
export function isUrlServer(entry: ConfiguredServer): boolean {
  return entry.raw['url'] !== undefined;
}

/**
 * A url entry as Codex 0.171 reads it: an http(s) `url` and the `bearer_token_env_var` Codex sends
 * the token from (a token written into the file itself would sit in plain text).
 */
function checkUrlEntry(entry: ConfiguredServer): DoctorCheck {
  const name = 'server-url';
  const url = entry.raw['url'];
  const tokenVar = entry.raw['bearer_token_env_var'];
  const problems: string[] = [];
  if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) problems.push(`url ${JSON.stringify(url)} is not an http(s) URL`);
  if (typeof tokenVar !== 'string' || tokenVar === '') problems.push('no bearer_token_env_var: codex-team serve --http refuses requests without its token');
  return problems.length === 0
    ? { name, ok: true, detail: `Codex connects to ${String(url)} with the token in $${String(tokenVar)} (start it with codex-team serve --http)` }
    : { name, ok: false, detail: problems.join('; '), fix: 'run codex-team install --url URL --bearer-env VAR' };
}

/** The Codex entry: present, and its command and server script exist (or, for a url entry, its url and token variable). */
export function checkCodexEntry(configPath: string, serverName: string, entry: ConfiguredServer | undefined): DoctorCheck[] {
  const install = 'run codex-team install';
  if (entry === undefined) {
    return [{ name: 'codex-config', ok: false, detail: `no [mcp_servers.${serverName}] in ${configPath}`, fix: install }];
  }
  const config: DoctorCheck = {
    name: 'codex-config',
    ok: true,
    detail: `[mcp_servers.${serverName}] in ${configPath}${entry.managed ? '' : ' (not written by codex-team install)'}`,
  };
  if (isUrlServer(entry)) return [config, checkUrlEntry(entry)];
  const command = entry.command;
  const script = Array.isArray(entry.args) ? (entry.args as unknown[])[0] : undefined;
  const problems: string[] = [];
  if (typeof command !== 'string' || !isAbsolute(command) || !existsSync(command)) {
    problems.push(`command ${JSON.stringify(command)} is not an existing absolute path`);
  }
  if (typeof script !== 'string' || !existsSync(script)) {
    problems.push(`server script ${JSON.stringify(script)} does not exist`);
  } else if (script.includes(`${sep}packages${sep}mcp-server${sep}dist${sep}`)) {
    problems.push(`server script ${script} is inside a checkout: moving, cleaning or rebuilding it breaks every Codex session`);
  }
  const bin: DoctorCheck =
    problems.length === 0
      ? { name: 'server-bin', ok: true, detail: `${String(command)} ${String(script)}` }
      : {
          name: 'server-bin',
          ok: false,
          detail: problems.join('; '),
          fix: `${install} (it installs a runtime of its own under the codex-team home; build first if needed: npm run build)`,
        };
  return [config, bin];
}

export function checkSkill(target: CodexTarget, serverName: string, skillTemplate: string): DoctorCheck {
  const path = skillPathIn(target, serverName);
  if (!existsSync(path)) return { name: 'skill', ok: false, detail: `${path} is missing`, fix: 'run codex-team install' };
  return readFileSync(path, 'utf8') === renderSkill(skillTemplate, serverName, skillNameFor(serverName))
    ? { name: 'skill', ok: true, detail: `${path} (names mcp__${serverName})` }
    : { name: 'skill', ok: false, detail: `${path} differs from this version's skill`, fix: 'run codex-team install' };
}

/** The value after `flag` in a registered entry's args, if any. */
function argOf(entry: ConfiguredServer | undefined, flag: string): string | undefined {
  if (entry === undefined || !Array.isArray(entry.args)) return undefined;
  const args: unknown[] = entry.args;
  const at = args.indexOf(flag);
  const value = at === -1 ? undefined : args[at + 1];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Codex's cap on teammates, read from the user's config (and the project's, for a project
 * install) as install reads it, against what the server was given: a config changed since
 * install (e.g. multi-agent v2 turned on) must be re-installed, or hints would ask for spawns Codex refuses.
 */
export function checkCodexCap(layers: readonly Record<string, unknown>[], entry: ConfiguredServer | undefined, surface: SurfaceChoice): DoctorCheck {
  const name = 'codex-cap';
  let reading;
  try {
    reading = codexThreadCapOf(mergeCodexConfigs(layers), surface);
  } catch (error) {
    return { name, ok: false, detail: describeError(error), fix: 'fix the Codex config, then run codex-team install' };
  }
  const detail = `${reading.teammates} teammate${reading.teammates === 1 ? '' : 's'} at once: ${reading.from}`;
  const given = argOf(entry, '--codex-thread-cap');
  if (entry === undefined) return { name, ok: true, detail };
  if (given !== String(reading.teammates)) {
    return {
      name,
      ok: false,
      detail: `${detail}; but the server was installed with ${given === undefined ? 'no Codex cap' : `a cap of ${given}`}`,
      fix: 'rerun codex-team install (with the same --name and --project) so the server plans with Codex\'s cap',
    };
  }
  return { name, ok: true, detail };
}

/** Who spawns a child team's teammates under this Codex config (informational: never fails). */
export function checkChildTeams(layers: readonly Record<string, unknown>[], surface: SurfaceChoice): DoctorCheck {
  let reading;
  try {
    reading = codexThreadCapOf(mergeCodexConfigs(layers), surface);
  } catch {
    // checkCodexCap reports a config that cannot be read.
    return { name: 'child-teams', ok: true, detail: 'unknown until the Codex config reads (see codex-cap)' };
  }
  return { name: 'child-teams', ok: true, detail: childTeamSpawningOf(mergeCodexConfigs(layers), reading.surface).detail };
}

/** One line per installed codex-team hook: trusted, untrusted, modified or disabled, as Codex sees it. */
export function checkHooks(target: CodexTarget, serverName: string, trustConfig: Record<string, unknown>): DoctorCheck[] {
  let hooks;
  try {
    hooks = findInstalledHooks(target.hooksPath, serverName);
  } catch (error) {
    return [{ name: 'hooks', ok: false, detail: describeError(error), fix: `fix ${target.hooksPath}` }];
  }
  return hooks.map((hook) => {
    const trust = hookTrust(trustConfig, hook);
    const check: DoctorCheck = { name: `hook ${hook.event}`, ok: trust === 'trusted', detail: `${trust} (${hook.key})` };
    if (trust !== 'trusted') {
      check.fix =
        trust === 'disabled'
          ? 'enable it again in Codex (/hooks)'
          : 'start codex, open /hooks and review the codex-team hooks; Codex skips hooks you have not trusted (codex-team never trusts them for you)';
    }
    return check;
  });
}

/** For a project install: Codex reads the project's .codex/config.toml only when it trusts the project. */
export function checkProjectTrust(projectDir: string, userConfig: Record<string, unknown>): DoctorCheck {
  const projects = userConfig['projects'];
  const entry = typeof projects === 'object' && projects !== null ? (projects as Record<string, unknown>)[projectDir] : undefined;
  const level = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['trust_level'] : undefined;
  return level === 'trusted'
    ? { name: 'project-trust', ok: true, detail: `${projectDir} is trusted, so Codex reads its .codex/config.toml` }
    : {
        name: 'project-trust',
        ok: false,
        detail: `${projectDir} is not trusted: Codex ignores its .codex/config.toml (and hooks) without a word`,
        fix: `start codex in ${projectDir} and accept its trust prompt`,
      };
}

function readConfigOrEmpty(path: string): Record<string, unknown> {
  try {
    return readCodexConfig(path);
  } catch {
    return {};
  }
}

/** The surface install pinned: `; pinned by install --multi-agent v2` ends the entry's cap source. */
function pinnedSurface(entry: ConfiguredServer | undefined): SurfaceChoice {
  const from = argOf(entry, '--codex-thread-cap-from') ?? '';
  const pinned = /; pinned by install --multi-agent (v1|v2)$/.exec(from)?.[1];
  return pinned === 'v1' || pinned === 'v2' ? pinned : 'auto';
}

/** Every check, in the order they are printed. */
export async function runDoctorChecks(options: DoctorOptions): Promise<DoctorCheck[]> {
  const { target, serverName } = options;
  const entryOrCheck = readEntry(target.configPath, serverName);
  const entry = isCheck(entryOrCheck) ? undefined : entryOrCheck;
  const dbPath = options.dbPath ?? dbPathOfEntry(entry) ?? options.defaultDbPath;
  const userConfig = readConfigOrEmpty(join(options.codexHome, 'config.toml'));
  const layers = target.scope === 'project' ? [userConfig, readConfigOrEmpty(target.configPath)] : [userConfig];
  const entryChecks = isCheck(entryOrCheck) ? [entryOrCheck] : checkCodexEntry(target.configPath, serverName, entry);
  const entryOk = entryChecks.every((check) => check.ok);
  // A url entry (install --url) names a running `codex-team serve --http`: its store, its cap and
  // its start are that server's, so only a process entry is started and compared with Codex's cap.
  const processEntry = entry === undefined || isUrlServer(entry) ? undefined : entry;
  return [
    checkNode(options.nodeVersion),
    await checkSqlite(),
    await checkStore(dbPath),
    checkCodexBinary(options.pathEnv),
    ...entryChecks,
    ...(options.probe !== false && processEntry !== undefined && entryOk ? [await probeServer(processEntry)] : []),
    checkCodexCap(layers, processEntry, options.surface ?? pinnedSurface(processEntry)),
    checkChildTeams(layers, options.surface ?? pinnedSurface(processEntry)),
    checkSkill(target, serverName, options.skillTemplate),
    ...(target.projectDir === undefined ? [] : [checkProjectTrust(target.projectDir, userConfig)]),
    ...checkHooks(target, serverName, mergeCodexConfigs(layers)),
  ];
}
