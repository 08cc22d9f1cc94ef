import type { CliIo } from './cli-io';
import type { Command } from './commands/command';
import { COMMANDS } from './commands/index';
import { runCommandLine } from './run-command-line';

export { USAGE_EXIT_CODE } from './run-command-line';

/**
 * Runs one `codex-team` command line and returns the exit code: 0 ok, 1 the command failed
 * (its stable error code is printed on stderr), 2 the command line was not understood (usage on
 * stderr). `commands` defaults to the command table; tests may pass their own.
 */
export function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  return runCommandLine(argv, io, commands);
}
