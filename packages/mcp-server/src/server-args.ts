import { parseArgs } from 'node:util';
import { DEFAULTS } from '@codex-team/contracts';
import { defaultDbPath } from '@codex-team/store';
import { LOG_LEVELS, type LogLevel } from './logger';

/** The settings of one codex-team-mcp process. */
export interface ServerArgs {
  dbPath: string;
  leaseMs: number;
  logLevel: LogLevel;
  help: boolean;
}

export const SERVER_USAGE = `Usage: codex-team-mcp [--db PATH] [--lease-ms N] [--log-level LEVEL]

Serves the codex-team MCP tools on stdio for one Codex agent thread.
  --db PATH          store file (default: $CODEX_TEAM_DB, else $CODEX_TEAM_HOME/team.db, else ~/.codex-team/team.db)
  --lease-ms N       how long a claim stays valid without renewal (default ${DEFAULTS.leaseMs})
  --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default info); logs go to stderr as JSON
`;

/** A command line that cannot be served; the binary prints it with the usage and exits 2. */
export class ServerArgsError extends Error {
  override readonly name = 'ServerArgsError';
}

const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

/** Parses the binary's arguments; the store path falls back to the environment it was given. */
export function parseServerArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerArgs {
  let values: { db?: string; 'lease-ms'?: string; 'log-level'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
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
  const leaseMs = leaseText === undefined ? DEFAULTS.leaseMs : Number(leaseText);
  if (!/^\d+$/.test(leaseText ?? '1') || !Number.isSafeInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS) {
    throw new ServerArgsError(`--lease-ms must be a whole number of milliseconds from 1 to ${MAX_LEASE_MS}`);
  }
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ServerArgsError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (values.db === '') throw new ServerArgsError('--db needs a path');
  return {
    dbPath: values.db ?? defaultDbPath(env),
    leaseMs,
    logLevel: logLevel as LogLevel,
    help: values.help ?? false,
  };
}
