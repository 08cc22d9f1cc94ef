import type { CliIo } from './cli-io';
import type { Command } from './commands/command';
import { COMMANDS } from './commands/index';
import { runCommandLine } from './run-command-line';

export { USAGE_EXIT_CODE } from './run-command-line';

/**
 * Runs one `codex-team` command line and returns the exit status (see EXIT): every error is one
 * line `codex-team <command>: CODE: message` on stderr, never a stack trace. Everything written
 * passes the terminal sanitiser (OutputSink). `commands` defaults to the command table.
 */
export function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  return runCommandLine(argv, io, commands);
}
