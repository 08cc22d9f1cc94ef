import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isTeamError } from '@codex-team/contracts';
import { defaultUserProfilesDir, type CodexThreadCap } from '@codex-team/policy-engine';
import { DEFAULT_RECOVERY_POLICY, recoveryPolicy, type RecoveryPolicy } from '@codex-team/recovery';
import { defaultDbPath } from '@codex-team/store';
import { LOG_LEVELS, type LogLevel } from './logger';

/** The settings of one codex-team-mcp process. */
export interface ServerArgs {
  dbPath: string;
  /** The user's profile directory, added to the built-in profiles. */
  profilesDir: string;
  /** `--lease-ms`: overrides every profile's lease length; undefined uses the team's profile. */
  leaseMs: number | undefined;
  /** Heartbeat and recovery numbers, from --lease-ms, --sweep-ms, --grace-ms, --stale-ms, --max-attempts. */
  recovery: RecoveryPolicy;
  logLevel: LogLevel;
  /** `--name`: the key Codex registered this server under; the model sees `mcp__<name>`. */
  codexServerKey: string;
  /** `--codex-thread-cap` and `--codex-thread-cap-from`: Codex's own limit on teammates, if known. */
  codexThreadCap: CodexThreadCap | undefined;
  /** `--hooks FILE`: lifecycle hooks for every team this server serves. */
  hooksFile: string | undefined;
  /** `--codex-home DIR`: the Codex home whose session rollouts measure token usage (read only). */
  codexHome: string;
  /** `--log-file PATH`: the log lines are also appended there (install writes one per server name). */
  logFile: string | undefined;
  help: boolean;
}

export const SERVER_USAGE = `Usage: codex-team-mcp [--db PATH] [--profiles-dir DIR] [--lease-ms N] [--sweep-ms N] [--grace-ms N]
                      [--stale-ms N] [--max-attempts N] [--log-level LEVEL] [--name NAME]
                      [--codex-thread-cap N [--codex-thread-cap-from TEXT]] [--hooks FILE]
                      [--codex-home DIR] [--log-file PATH]

Serves the codex-team MCP tools on stdio for one Codex agent thread.
  --db PATH           store file (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)
  --profiles-dir DIR  your own policy profiles, beside the built-in fast, default and deep
                      (default: $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles)
  --lease-ms N        lease of every claim, overriding the team profile's lease.length_ms
  --sweep-ms N        how often this process runs a recovery sweep; 0: never (default ${DEFAULT_RECOVERY_POLICY.sweepEveryMs})
  --grace-ms N        how long a disconnected agent keeps its claims (default ${DEFAULT_RECOVERY_POLICY.graceMs})
  --stale-ms N        a teammate silent this long is lost and frees its slot, for every team
                      (default: each team profile's idle.agent_timeout_ms, at least two leases)
  --max-attempts N    claims of a task before a lost claim fails it, for every team (default: each
                      team profile's lease.max_attempts)
  --log-level LEVEL   ${LOG_LEVELS.join(', ')} (default info); logs go to stderr as JSON
  --name NAME         the key Codex registered this server under; instructions name mcp__NAME (default team)
  --codex-thread-cap N
                      Codex's own limit on the teammates a lead may run at once (codex-team install
                      reads it from Codex's config); teams and spawn hints never exceed it
  --codex-thread-cap-from TEXT
                      where that limit came from, named in refusals and hints
  --hooks FILE        lifecycle hooks for every team, in Codex's hooks.json shape (docs/hooks.md);
                      while the file is missing or invalid every call is refused (gates fail closed)
  --codex-home DIR    the Codex home whose session rollouts measure each agent's token usage, read
                      only (default: $CODEX_HOME, else ~/.codex)
  --log-file PATH     also append the log lines to this file, kept beside its one previous
                      generation (PATH.1) once it passes 10 MiB; a file that cannot be written leaves
                      stderr only, said there (default: stderr only; install writes
                      ~/.codex-team/logs/server-NAME.log)
`;

const SERVER_KEY = /^[A-Za-z0-9_-]{1,32}$/;

/** A command line that cannot be served; the binary prints it with the usage and exits 2. */
export class ServerArgsError extends Error {
  override readonly name = 'ServerArgsError';
}

/** Codex's own default home: $CODEX_HOME, else ~/.codex. */
function defaultCodexHome(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env['CODEX_HOME'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(env['HOME'] ?? homedir(), '.codex');
}

/** A whole number of a flag, or undefined when the flag was not given. */
function wholeOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new ServerArgsError(`${flag} must be a whole number`);
  return Number(text);
}

/** The flags every codex-team server process takes (stdio `codex-team-mcp`, `codex-team serve --http`). */
export const SERVER_OPTIONS = {
  db: { type: 'string' },
  'profiles-dir': { type: 'string' },
  'lease-ms': { type: 'string' },
  'sweep-ms': { type: 'string' },
  'grace-ms': { type: 'string' },
  'stale-ms': { type: 'string' },
  'max-attempts': { type: 'string' },
  'log-level': { type: 'string' },
  name: { type: 'string' },
  'codex-thread-cap': { type: 'string' },
  'codex-thread-cap-from': { type: 'string' },
  hooks: { type: 'string' },
  'codex-home': { type: 'string' },
  'log-file': { type: 'string' },
} as const;

/** Values of SERVER_OPTIONS as `util.parseArgs` returns them. */
export type ServerOptionValues = Partial<Record<keyof typeof SERVER_OPTIONS, string | boolean | (string | boolean)[]>>;

function textValue(values: ServerOptionValues, name: keyof typeof SERVER_OPTIONS): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Parses the binary's arguments; the store path falls back to the environment it was given. */
export function parseServerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerArgs {
  let values: ServerOptionValues & { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...SERVER_OPTIONS, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ServerArgsError(error instanceof Error ? error.message : String(error));
  }
  return { ...serverArgsFromValues(values, env), help: values.help ?? false };
}

/**
 * The settings of SERVER_OPTIONS' values (already parsed by the caller's own option table);
 * ServerArgsError for a value out of range.
 */
export function serverArgsFromValues(values: ServerOptionValues, env: Readonly<Record<string, string | undefined>>): Omit<ServerArgs, 'help'> {
  // recoveryPolicy checks the lease's range (1 ms to a day) with the other recovery numbers.
  const leaseMs = wholeOption('--lease-ms', textValue(values, 'lease-ms'));
  let recovery: RecoveryPolicy;
  try {
    recovery = recoveryPolicy({
      leaseMs,
      sweepEveryMs: wholeOption('--sweep-ms', textValue(values, 'sweep-ms')),
      graceMs: wholeOption('--grace-ms', textValue(values, 'grace-ms')),
      staleAfterMs: wholeOption('--stale-ms', textValue(values, 'stale-ms')),
      maxAttempts: wholeOption('--max-attempts', textValue(values, 'max-attempts')),
    });
  } catch (error) {
    throw new ServerArgsError(isTeamError(error) ? error.message : String(error));
  }
  const logLevel = textValue(values, 'log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ServerArgsError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const db = textValue(values, 'db');
  const profilesDir = textValue(values, 'profiles-dir');
  if (db === '') throw new ServerArgsError('--db needs a path');
  if (profilesDir === '') throw new ServerArgsError('--profiles-dir needs a path');
  const codexServerKey = textValue(values, 'name') ?? 'team';
  if (!SERVER_KEY.test(codexServerKey)) throw new ServerArgsError('--name must be 1-32 letters, digits, "_" or "-"');
  const teammates = wholeOption('--codex-thread-cap', textValue(values, 'codex-thread-cap'));
  const capFrom = textValue(values, 'codex-thread-cap-from');
  if (teammates === undefined && capFrom !== undefined) {
    throw new ServerArgsError('--codex-thread-cap-from needs --codex-thread-cap');
  }
  const hooks = textValue(values, 'hooks');
  if (hooks === '') throw new ServerArgsError('--hooks needs a path');
  const codexHome = textValue(values, 'codex-home');
  if (codexHome === '') throw new ServerArgsError('--codex-home needs a path');
  const logFile = textValue(values, 'log-file');
  if (logFile === '') throw new ServerArgsError('--log-file needs a path');
  return {
    dbPath: db ?? defaultDbPath(env),
    profilesDir: profilesDir ?? defaultUserProfilesDir(env),
    leaseMs,
    recovery,
    logLevel: logLevel as LogLevel,
    codexServerKey,
    codexThreadCap: teammates === undefined ? undefined : { teammates, from: capFrom ?? `--codex-thread-cap ${teammates}` },
    hooksFile: hooks,
    codexHome: codexHome ?? defaultCodexHome(env),
    logFile,
  };
}
