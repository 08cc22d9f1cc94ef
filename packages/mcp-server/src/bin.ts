#!/usr/bin/env node
// codex-team-mcp: one MCP session on stdio for one Codex agent thread. Codex never restarts a
// server that exits, so nothing after startup may end this process except the session ending.
import { isTeamError } from '@codex-team/contracts';
import type { HookFileSource } from '@codex-team/hooks';
import { loadHooksFile } from './hooks/load-hooks-file';
import { createLogger } from './logger';
import { SERVER_USAGE, ServerArgsError, parseServerArgs } from './server-args';
import { runStdioServer } from './stdio-server';

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

  let hooksFile: HookFileSource | undefined;
  if (args.hooksFile !== undefined) {
    try {
      hooksFile = loadHooksFile(args.hooksFile);
    } catch (error) {
      logger.fatal({ err: error, hooks: args.hooksFile }, 'could not load the hooks file');
      process.stderr.write(`codex-team-mcp: ${isTeamError(error) ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }
  let running;
  try {
    running = await runStdioServer({
      dbPath: args.dbPath,
      profilesDir: args.profilesDir,
      ...(args.leaseMs === undefined ? {} : { leaseMs: args.leaseMs }),
      recovery: args.recovery,
      logger,
      ...(hooksFile === undefined ? {} : { hooksFile }),
    });
  } catch (error) {
    logger.fatal({ err: error, db: args.dbPath }, 'could not open the store');
    const detail = isTeamError(error) ? error.message : String(error);
    process.stderr.write(`codex-team-mcp: cannot open ${args.dbPath}: ${detail}\n`);
    process.exit(1);
  }
  const server = running;
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
