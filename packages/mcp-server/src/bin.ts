#!/usr/bin/env node
// codex-team-mcp: one MCP session on stdio for one Codex agent thread. Codex never restarts a
// server that exits, and a required server that fails to start stops the whole Codex session, so
// nothing after startup may end this process except the session ending: when the store cannot be
// opened, the session is served anyway, answering every tool call with the reason.
import { isTeamError } from '@codex-team/contracts';
import type { HookFileSource } from '@codex-team/hooks';
import { redactStoreLocation } from '@codex-team/store';
import { loadHooksFile } from './hooks/load-hooks-file';
import { InjectedFaultsError, injectedFaultsFromEnv, injectedFaultsWarning, TEST_FAULTS_ENV, type InjectedFaults } from './injected-faults';
import { createLogger } from './logger';
import { SERVER_USAGE, ServerArgsError, parseServerArgs } from './server-args';
import { runStdioServer } from './stdio-server';
import { hooksUnavailableMessage, runUnavailableStdioServer } from './unavailable-server';

async function main(): Promise<void> {
  let args;
  try {
    args = parseServerArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ServerArgsError)) throw error;
    process.stderr.write(`codex-team-mcp: ${error.message}\n\n${SERVER_USAGE}`);
    process.exit(2);
  }
  let faults: InjectedFaults | undefined;
  try {
    faults = injectedFaultsFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof InjectedFaultsError)) throw error;
    process.stderr.write(`codex-team-mcp: ${error.message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stderr.write(SERVER_USAGE);
    process.exit(0);
  }
  const logger = createLogger(args.logLevel, args.logFile);
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception; still serving'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection; still serving'));
  if (faults !== undefined) {
    // Never quietly: on stderr whatever the log level, and in the log (file) where Codex keeps it.
    const warning = injectedFaultsWarning(faults);
    process.stderr.write(`codex-team-mcp: ${warning}\n`);
    logger.warn({ injected_faults: faults, env: TEST_FAULTS_ENV }, warning);
  }

  // A hooks file that cannot be read refuses every call (a gate fails closed) without ending the
  // process: Codex stops a session whose required server fails to start.
  let hooksFile: HookFileSource | undefined;
  let hooksProblem: string | null = null;
  if (args.hooksFile !== undefined) {
    try {
      hooksFile = loadHooksFile(args.hooksFile);
    } catch (error) {
      hooksProblem = isTeamError(error) ? error.message : String(error);
      logger.fatal({ err: error, hooks: args.hooksFile }, 'could not load the hooks file');
      process.stderr.write(`codex-team-mcp: ${hooksProblem}\n`);
    }
  }
  let server;
  try {
    if (hooksProblem !== null) throw new HooksFileUnusable(hooksProblem);
    server = await runStdioServer({
      dbPath: args.dbPath,
      profilesDir: args.profilesDir,
      ...(args.leaseMs === undefined ? {} : { leaseMs: args.leaseMs }),
      recovery: args.recovery,
      logger,
      ...(hooksFile === undefined ? {} : { hooksFile }),
      ...(args.codexThreadCap === undefined ? {} : { codexThreadCap: args.codexThreadCap }),
      codexServerKey: args.codexServerKey,
      codexHome: args.codexHome,
      ...(faults === undefined ? {} : { faults }),
    });
  } catch (error) {
    if (error instanceof HooksFileUnusable) {
      server = await runUnavailableStdioServer({ dbPath: redactStoreLocation(args.dbPath), reason: error.message, logger, message: hooksUnavailableMessage(error.message) });
    } else {
      const detail = isTeamError(error) ? error.message : error instanceof Error ? error.message : String(error);
      logger.fatal({ err: error, db: redactStoreLocation(args.dbPath) }, 'could not open the store');
      process.stderr.write(`codex-team-mcp: cannot open ${redactStoreLocation(args.dbPath)}: ${detail}\n`);
      server = await runUnavailableStdioServer({ dbPath: redactStoreLocation(args.dbPath), reason: detail.split('\n')[0] ?? detail, logger });
    }
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

/** The hooks file given with --hooks cannot be used: the session is served refusing every call. */
class HooksFileUnusable extends Error {}

void main();
