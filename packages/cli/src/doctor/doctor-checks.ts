import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { RandomIdGenerator, isTeamError, systemClock, type ErrorCode } from '@codex-team/contracts';
import { CURRENT_SCHEMA_VERSION, openSqliteTeamStore, openSqliteTeamStoreReadOnly } from '@codex-team/store';
import { readServerEntry, type ConfiguredServer } from '../codex/codex-config';
import { codexConfigPath, installedSkillPath } from '../codex/codex-paths';

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
  codexHome: string;
  serverName: string;
  /** The store to check; undefined: the one the Codex entry names, else `defaultDbPath`. */
  dbPath: string | undefined;
  /** Used when neither `dbPath` nor the Codex entry names a store. */
  defaultDbPath: string;
  nodeVersion: string;
  /** The skill text this CLI ships; the installed one must match it. */
  shippedSkill: string;
  /** The PATH to look for the `codex` binary in (`$PATH`). */
  pathEnv: string | undefined;
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

/** What to do about a store that cannot be read, by the refusal's code. */
const STORE_FIXES: Partial<Record<ErrorCode, (dbPath: string) => string>> = {
  NOT_A_STORE: () => 'point --db (and codex-team install --db) at a codex-team store file, or at a path where one can be created; this file was not changed',
  SCHEMA_MISMATCH: () => 'upgrade codex-team, or point --db at another file',
  FILE_ACCESS: (dbPath) => `fix the permissions of ${dbPath} and ${dirname(dbPath)}`,
  BUSY: () => 'close the processes holding the store, then retry',
};

/**
 * The store file, looked at without writing it: an existing one is opened read-only (a folder,
 * a file that is not a codex-team store and a newer schema fail, each with its own fix) and must
 * be writable with its folder for the server; a missing one needs a writable folder to be created in.
 */
export async function checkStore(dbPath: string): Promise<DoctorCheck> {
  const name = 'store';
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
    const fix = isTeamError(error) ? STORE_FIXES[error.code]?.(dbPath) : undefined;
    return {
      name,
      ok: false,
      detail: isTeamError(error) ? `${error.code}: ${error.message.slice(error.code.length + 2)}` : `${dbPath}: ${describeError(error)}`,
      fix: fix ?? 'run codex-team doctor again with CODEX_TEAM_DEBUG=1 and report the error',
    };
  }
  try {
    accessSync(dbPath, constants.R_OK | constants.W_OK);
    accessSync(dirname(dbPath), constants.W_OK);
  } catch {
    return { name, ok: false, detail: `${dbPath} or its folder is not writable (SQLite needs both for its WAL files)`, fix: `fix the permissions of ${dirname(dbPath)}` };
  }
  const schema =
    version === CURRENT_SCHEMA_VERSION
      ? `schema v${version} (same as the code)`
      : `schema v${version}, older than the code's v${CURRENT_SCHEMA_VERSION}: the next server start upgrades it`;
  return { name, ok: true, detail: `${dbPath} is a writable codex-team store, ${schema}` };
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

/** The Codex entry: present, and its command and server script exist. */
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
  const command = entry.command;
  const script = Array.isArray(entry.args) ? (entry.args as unknown[])[0] : undefined;
  const problems: string[] = [];
  if (typeof command !== 'string' || !isAbsolute(command) || !existsSync(command)) {
    problems.push(`command ${JSON.stringify(command)} is not an existing absolute path`);
  }
  if (typeof script !== 'string' || !existsSync(script)) {
    problems.push(`server script ${JSON.stringify(script)} does not exist`);
  }
  const bin: DoctorCheck =
    problems.length === 0
      ? { name: 'server-bin', ok: true, detail: `${String(command)} ${String(script)}` }
      : { name: 'server-bin', ok: false, detail: problems.join('; '), fix: `build it (npm run build), then ${install}` };
  return [config, bin];
}

export function checkSkill(codexHome: string, shippedSkill: string): DoctorCheck {
  const path = installedSkillPath(codexHome);
  if (!existsSync(path)) return { name: 'skill', ok: false, detail: `${path} is missing`, fix: 'run codex-team install' };
  return readFileSync(path, 'utf8') === shippedSkill
    ? { name: 'skill', ok: true, detail: path }
    : { name: 'skill', ok: false, detail: `${path} differs from this version's skill`, fix: 'run codex-team install' };
}

/** Every check, in the order they are printed. */
export async function runDoctorChecks(options: DoctorOptions): Promise<DoctorCheck[]> {
  const configPath = codexConfigPath(options.codexHome);
  const entryOrCheck = readEntry(configPath, options.serverName);
  const entry = isCheck(entryOrCheck) ? undefined : entryOrCheck;
  const dbPath = options.dbPath ?? dbPathOfEntry(entry) ?? options.defaultDbPath;
  return [
    checkNode(options.nodeVersion),
    await checkSqlite(),
    await checkStore(dbPath),
    checkCodexBinary(options.pathEnv),
    ...(isCheck(entryOrCheck) ? [entryOrCheck] : checkCodexEntry(configPath, options.serverName, entry)),
    checkSkill(options.codexHome, options.shippedSkill),
  ];
}
