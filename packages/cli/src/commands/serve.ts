import { resolve } from 'node:path';
import { TeamError, isTeamError } from '@codex-team/contracts';
import {
  DEFAULT_HTTP_IDLE_MS,
  DEFAULT_HTTP_PORT,
  DEFAULT_MAX_HTTP_SESSIONS,
  MAX_REQUEST_BYTES,
  MIN_BEARER_TOKEN_LENGTH,
  SERVER_OPTIONS,
  ServerArgsError,
  createLogger,
  generateBearerToken,
  loadHooksFile,
  parseListenAddress,
  runHttpServer,
  serverArgsFromValues,
} from '@codex-team/mcp-server';
import { DEFAULT_STORE_THREADS, isPostgresUrl } from '@codex-team/store';
import { UsageError } from '../errors';
import { flagOption, stringOption, wholeOption, type OptionValues, type Command } from './command';

/** The most store threads one server runs: each is two threads (its calls', its connection's) and a connection. */
const MAX_STORE_THREADS = 16;

/** The environment variable the token is read from when --token-env names none. */
export const DEFAULT_TOKEN_ENV = 'CODEX_TEAM_TOKEN';

function stringList(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((each): each is string => typeof each === 'string') : [];
}

/** A value of the command line the server's own parsers refuse: a USAGE error (exit 2) naming it. */
function commandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ServerArgsError) throw new UsageError(error.message);
    if (isTeamError(error) && error.code === 'INVALID_INPUT') throw new UsageError(error.reason);
    throw error;
  }
}

/** `codex-team serve --http HOST:PORT`: one long-running MCP server over Streamable HTTP for every agent. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the team tools over MCP Streamable HTTP to agents of one or more machines',
  synopsis:
    '--http HOST:PORT [--allow-remote] [--token-env VAR] [--allowed-host HOST]... [--allowed-origin ORIGIN]... ' +
    '[--max-sessions N] [--idle-ms N] [--max-body-bytes N] [--db PATH] [--store-threads N] [--profiles-dir DIR] [--lease-ms N] [--log-level LEVEL] ' +
    '[--name NAME] [--codex-thread-cap N [--codex-thread-cap-from TEXT]] [--hooks FILE]',
  details: [
    `--http HOST:PORT     where to listen (default host 127.0.0.1, port ${DEFAULT_HTTP_PORT}); the endpoint is /mcp`,
    '--allow-remote       listen on a host other machines can reach (refused without it; put TLS in front)',
    `--token-env VAR      environment variable holding the bearer token, ${MIN_BEARER_TOKEN_LENGTH}+ characters (default ${DEFAULT_TOKEN_ENV});`,
    '                     unset: a token is generated and printed once. Codex sends it from the variable',
    '                     named by bearer_token_env_var: codex-team install --url URL --bearer-env VAR',
    '--allowed-host HOST  another Host header to accept (a DNS name of this machine); repeatable',
    '--allowed-origin O   a browser Origin to accept (e.g. https://dash.example); repeatable',
    `--max-sessions N     agent sessions open at once (default ${DEFAULT_MAX_HTTP_SESSIONS})`,
    `--idle-ms N          end a session idle this long, recording its agent's disconnect (default ${DEFAULT_HTTP_IDLE_MS})`,
    `--max-body-bytes N   largest request body (default ${MAX_REQUEST_BYTES})`,
    `--store-threads N    on PostgreSQL (--db postgres://...): run this many agents' store calls at once, each thread on`,
    `                     a connection of its own (default ${DEFAULT_STORE_THREADS}, at most ${MAX_STORE_THREADS}); a SQLite store writes one at a time`,
    '--db, --profiles-dir, --lease-ms, --sweep-ms, --grace-ms, --stale-ms, --max-attempts, --log-level,',
    '--name, --codex-thread-cap, --codex-thread-cap-from, --hooks:',
    '                     as for codex-team-mcp (codex-team-mcp --help); logs go to stderr as JSON',
    '                     a hooks file that is missing or invalid is refused before serving (docs/hooks.md)',
    'Runs until SIGINT or SIGTERM, then ends every session as a disconnect and exits 0.',
  ],
  runsUntilStopped: true,
  options: {
    ...SERVER_OPTIONS,
    http: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    'token-env': { type: 'string' },
    'allowed-host': { type: 'string', multiple: true },
    'allowed-origin': { type: 'string', multiple: true },
    'max-sessions': { type: 'string' },
    'idle-ms': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    'store-threads': { type: 'string' },
  },
  async run(args, io) {
    const httpText = stringOption(args.values, 'http');
    if (httpText === undefined) {
      throw new UsageError('--http HOST:PORT is required (stdio is served by codex-team-mcp, which Codex starts itself)');
    }
    const address = commandLine(() => parseListenAddress(httpText));
    const server = commandLine(() => serverArgsFromValues(args.values, io.env));
    const tokenEnv = stringOption(args.values, 'token-env') ?? DEFAULT_TOKEN_ENV;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) throw new UsageError(`--token-env ${JSON.stringify(tokenEnv)} is not an environment variable name`);
    const given = io.env[tokenEnv];
    const token = given === undefined || given === '' ? generateBearerToken() : given;
    if (token.length < MIN_BEARER_TOKEN_LENGTH) {
      throw new TeamError('INVALID_INPUT', `$${tokenEnv} holds a token of ${token.length} characters; use at least ${MIN_BEARER_TOKEN_LENGTH}`);
    }
    // The lifecycle hooks run in this process, for every session: a file it could not use is
    // refused before anything is served (a gate fails closed).
    const hooksFile = server.hooksFile === undefined ? undefined : loadHooksFile(resolve(io.cwd, server.hooksFile));
    const maxSessions = wholeOption(args.values, 'max-sessions', 1);
    const idleMs = wholeOption(args.values, 'idle-ms', 1);
    const maxBodyBytes = wholeOption(args.values, 'max-body-bytes', 1);
    const storeThreads = wholeOption(args.values, 'store-threads', 1, MAX_STORE_THREADS);
    const onPostgres = isPostgresUrl(server.dbPath);
    if (storeThreads !== undefined && !onPostgres) {
      throw new UsageError('--store-threads is for a PostgreSQL store (--db postgres://...): a SQLite store writes one call at a time whatever the threads');
    }
    const running = await runHttpServer({
      dbPath: server.dbPath,
      ...(onPostgres ? { storeThreads: storeThreads ?? DEFAULT_STORE_THREADS } : {}),
      profilesDir: server.profilesDir,
      ...(server.leaseMs === undefined ? {} : { leaseMs: server.leaseMs }),
      recovery: server.recovery,
      ...(server.codexThreadCap === undefined ? {} : { codexThreadCap: server.codexThreadCap }),
      codexServerKey: server.codexServerKey,
      codexHome: server.codexHome,
      ...(hooksFile === undefined ? {} : { hooksFile }),
      logger: createLogger(server.logLevel, server.logFile),
      address,
      bearerToken: token,
      allowRemote: flagOption(args.values, 'allow-remote'),
      allowedHosts: stringList(args.values, 'allowed-host'),
      allowedOrigins: stringList(args.values, 'allowed-origin'),
      ...(maxSessions === undefined ? {} : { maxSessions }),
      ...(idleMs === undefined ? {} : { idleMs }),
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    });
    // The first line is the endpoint, for scripts (and tests) that started the server on port 0.
    io.stdout.write(`codex-team serving MCP on ${running.url}\n`);
    io.stdout.write(
      given === undefined || given === ''
        ? `bearer token generated (set it in Codex's environment): export ${tokenEnv}=${token}\n`
        : `bearer token: from $${tokenEnv}\n`,
    );
    io.stdout.write(`register it with Codex: codex-team install --url ${running.url} --bearer-env ${tokenEnv}\n`);
    const stop = (): void => void running.shutdown('the server was stopped');
    if (io.signal?.aborted === true) stop();
    io.signal?.addEventListener('abort', stop, { once: true });
    await running.closed;
    return 0;
  },
};
