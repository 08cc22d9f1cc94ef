import { parseArgs } from 'node:util';
import { isTeamError } from '@codex-team/contracts';
import type { CliIo } from './cli-io';
import type { Command } from './commands/command';

/** Exit code of a command line that could not be understood. */
export const USAGE_EXIT_CODE = 2;

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: codex-team <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `codex-team <command> --help` for its options.',
    '',
  ].join('\n');
}

function commandUsage(command: Command): string {
  return [
    `Usage: codex-team ${command.name} ${command.synopsis}`.trimEnd(),
    '',
    command.summary,
    '',
    ...command.details.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/**
 * Node's parseArgs errors (unknown flag, missing value, ...) carry an `ERR_PARSE_ARGS_*` code.
 * Checked by shape: under Jest's VM they are not `instanceof` the test realm's Error.
 */
function isParseArgsError(error: unknown): error is { message: string } {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') && typeof message === 'string';
}

/**
 * Runs one `codex-team` command line against a command table and returns the exit code: 0 ok, 1
 * the command failed (its stable error code is printed on stderr), 2 the command line was not
 * understood (usage on stderr). `runCli` passes the full table; the runtime bin passes only `hook`.
 */
export async function runCommandLine(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = commands.find((command) => command.name === rest[0]);
    io.stdout.write(topic === undefined ? usage(commands) : commandUsage(topic));
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(`${name === undefined ? 'codex-team: missing command' : `codex-team: unknown command "${name}"`}\n\n${usage(commands)}`);
    return USAGE_EXIT_CODE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    io.stderr.write(`codex-team ${command.name}: ${error.message}\n\n${commandUsage(command)}`);
    return USAGE_EXIT_CODE;
  }
  if (parsed.values['help'] === true) {
    io.stdout.write(commandUsage(command));
    return 0;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (error) {
    if (isTeamError(error)) {
      io.stderr.write(`codex-team ${command.name}: ${error.message}\n`);
    } else {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      io.stderr.write(`codex-team ${command.name}: INTERNAL: ${detail}\n`);
    }
    return 1;
  }
}
