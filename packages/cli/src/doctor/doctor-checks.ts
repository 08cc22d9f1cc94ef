import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { RandomIdGenerator, isTeamError, systemClock } from '@codex-team/contracts';
import { CURRENT_SCHEMA_VERSION, openSqliteTeamStore } from '@codex-team/store';
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

/**
 * The store file: an existing one is opened as the server would (which applies pending
 * migrations and refuses a newer schema); a missing one needs a writable folder to be created in.
 */
export async function checkStore(dbPath: string): Promise<DoctorCheck> {
  const name = 'store';
  if (!existsSync(dbPath)) {
    const dir = nearestExistingDir(dbPath);
    try {
      accessSync(dir, constants.W_OK);
      return { name, ok: true, detail: `${dbPath} does not exist yet; it will be created (${dir} is writable)` };
    } catch {
      return { name, ok: false, detail: `${dbPath} cannot be created: ${dir} is not writable`, fix: 'pass a writable --db PATH to codex-team install' };
    }
  }
  try {
    accessSync(dbPath, constants.R_OK | constants.W_OK);
    accessSync(dirname(dbPath), constants.W_OK);
  } catch {
    return { name, ok: false, detail: `${dbPath} or its folder is not writable (SQLite needs both for its WAL files)`, fix: `fix the permissions of ${dirname(dbPath)}` };
  }
  try {
    const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
    await store.close();
    return { name, ok: true, detail: `${dbPath} is writable, schema v${CURRENT_SCHEMA_VERSION} (same as the code)` };
  } catch (error) {
    const mismatch = isTeamError(error) && error.code === 'SCHEMA_MISMATCH';
    return {
      name,
      ok: false,
      detail: `${dbPath}: ${describeError(error)}`,
      fix: mismatch ? 'upgrade codex-team, or point --db at another file' : 'close the processes holding the store, then retry',
    };
  }
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
    ...(isCheck(entryOrCheck) ? [entryOrCheck] : checkCodexEntry(configPath, options.serverName, entry)),
    checkSkill(options.codexHome, options.shippedSkill),
  ];
}
