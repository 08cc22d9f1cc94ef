#!/usr/bin/env node
// codex-team-mcp: one MCP session on stdio for one Codex agent thread. Codex never restarts a
// server that exits, and a required server that fails to start stops the whole Codex session, so
// nothing after startup may end this process except the session ending: when the store cannot be
// opened, the session is served anyway, answering every tool call with the reason.
import { isTeamError } from '@codex-team/contracts';
import { createLogger } from './logger';
import { SERVER_USAGE, ServerArgsError, parseServerArgs } from './server-args';
import { runStdioServer } from './stdio-server';
import { runUnavailableStdioServer } from './unavailable-server';

async function main(): Promise<void> {
  let args;
  try {
    args = parseServerArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ServerArgsError)) throw error;
    process.stderr.write(`codex-team-mcp: ${error.message}\n\n${SERVER_USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stderr.write(SERVER_USAGE);
    process.exit(0);
  }
  const logger = createLogger(args.logLevel);
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception; still serving'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection; still serving'));

  let server;
  try {
    server = await runStdioServer({
      dbPath: args.dbPath,
      profilesDir: args.profilesDir,
      ...(args.leaseMs === undefined ? {} : { leaseMs: args.leaseMs }),
      recovery: args.recovery,
      logger,
      ...(args.codexThreadCap === undefined ? {} : { codexThreadCap: args.codexThreadCap }),
      codexServerKey: args.codexServerKey,
    });
  } catch (error) {
    const detail = isTeamError(error) ? error.message : error instanceof Error ? error.message : String(error);
    logger.fatal({ err: error, db: args.dbPath }, 'could not open the store');
    process.stderr.write(`codex-team-mcp: cannot open ${args.dbPath}: ${detail}\n`);
    server = await runUnavailableStdioServer({ dbPath: args.dbPath, reason: detail.split('\n')[0] ?? detail, logger });
  }
  const endOn = (signal: NodeJS.Signals): void => {
    process.on(signal, () => {
      void server.shutdown(`received ${signal}`).finally(() => process.exit(0));
    });
  };
  endOn('SIGTERM');
  endOn('SIGINT');
  endOn('SIGHUP');
  await server.closed;
  process.exit(0);
}

void main();
