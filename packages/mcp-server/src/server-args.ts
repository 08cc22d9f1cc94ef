import { parseArgs } from 'node:util';
import { defaultUserProfilesDir } from '@codex-team/policy-engine';
import { defaultDbPath } from '@codex-team/store';
import { LOG_LEVELS, type LogLevel } from './logger';

/** The settings of one codex-team-mcp process. */
export interface ServerArgs {
  dbPath: string;
  /** The user's profile directory, added to the built-in profiles. */
  profilesDir: string;
  /** `--lease-ms`: overrides every profile's lease length; undefined uses the team's profile. */
  leaseMs: number | undefined;
  logLevel: LogLevel;
  help: boolean;
}

export const SERVER_USAGE = `Usage: codex-team-mcp [--db PATH] [--profiles-dir DIR] [--lease-ms N] [--log-level LEVEL]

Serves the codex-team MCP tools on stdio for one Codex agent thread.
  --db PATH           store file (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)
  --profiles-dir DIR  your own policy profiles, beside the built-in fast, default and deep
                      (default: $CODEX_TEAM_HOME/profiles, else ~/.codex-team/profiles)
  --lease-ms N        lease of every claim, overriding the team profile's lease.length_ms
  --log-level LEVEL   ${LOG_LEVELS.join(', ')} (default info); logs go to stderr as JSON
`;

/** A command line that cannot be served; the binary prints it with the usage and exits 2. */
export class ServerArgsError extends Error {
  override readonly name = 'ServerArgsError';
}

const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

/** Parses the binary's arguments; the store path falls back to the environment it was given. */
export function parseServerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerArgs {
  let values: { db?: string; 'profiles-dir'?: string; 'lease-ms'?: string; 'log-level'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        'profiles-dir': { type: 'string' },
        'lease-ms': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ServerArgsError(error instanceof Error ? error.message : String(error));
  }
  const leaseText = values['lease-ms'];
  const leaseMs = leaseText === undefined ? undefined : Number(leaseText);
  if (leaseMs !== undefined && (!/^\d+$/.test(leaseText ?? '') || !Number.isSafeInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS)) {
    throw new ServerArgsError(`--lease-ms must be a whole number of milliseconds from 1 to ${MAX_LEASE_MS}`);
  }
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ServerArgsError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (values.db === '') throw new ServerArgsError('--db needs a path');
  if (values['profiles-dir'] === '') throw new ServerArgsError('--profiles-dir needs a path');
  return {
    dbPath: values.db ?? defaultDbPath(env),
    profilesDir: values['profiles-dir'] ?? defaultUserProfilesDir(env),
    leaseMs,
    logLevel: logLevel as LogLevel,
    help: values.help ?? false,
  };
}
