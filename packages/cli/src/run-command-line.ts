import { parseArgs } from 'node:util';
import { OutputSink, OUTPUT_CLOSED, wasInterrupted, type CliIo, type CommandIo } from './cli-io';
import type { Command } from './commands/command';
import { EXIT, describeFailure, type CliFailure } from './errors';
import { CLI_VERSION } from './version';

/** Exit code of a command line that could not be understood. */
export const USAGE_EXIT_CODE = EXIT.usage;

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: codex-team <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `codex-team <command> --help` for its options; `codex-team --version` for the version.',
    'Exit status: 0 ok, 1 the command failed (a stable CODE on stderr), 2 usage error, 130 interrupted.',
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
 * The first sentence of a parseArgs message, which goes on about `--` for unknown options, and on
 * a second line for an ambiguous value (`--limit -3`).
 */
function firstSentence(message: string): string {
  const end = message.search(/\.\s/);
  return end === -1 ? message : message.slice(0, end);
}

/** `codex-team <name>: CODE: message`, the one line every error is reported as. */
function report(io: CommandIo, name: string, failure: Pick<CliFailure, 'code' | 'message'>): void {
  io.stderr.write(`codex-team${name === '' ? '' : ` ${name}`}: ${failure.code}: ${failure.message}\n`);
}

/**
 * The exit status once a command has ended, given how it ended. A server (runsUntilStopped) that
 * returned after a stop request ended as asked: its status stands.
 */
function settle(io: CommandIo, command: Pick<Command, 'name' | 'runsUntilStopped'>, outcome: { code: number } | { error: unknown }): number {
  const { name } = command;
  // A reader that went away is the reader's choice: nothing more to say, and nothing failed.
  if (io.signal?.aborted === true && io.signal.reason === OUTPUT_CLOSED) return EXIT.ok;
  if (wasInterrupted(io) && !(command.runsUntilStopped === true && 'code' in outcome)) {
    const terminated = io.signal?.reason === 'SIGTERM';
    report(io, name, { code: 'INTERRUPTED', message: terminated ? 'stopped by SIGTERM' : 'stopped by Ctrl-C (SIGINT)' });
    return terminated ? EXIT.terminated : EXIT.interrupted;
  }
  if ('code' in outcome) return outcome.code;
  const failure = describeFailure(outcome.error);
  report(io, name, failure);
  const debug = io.env['CODEX_TEAM_DEBUG'];
  if (debug !== undefined && debug !== '' && debug !== '0' && outcome.error instanceof Error) {
    io.stderr.write(`${outcome.error.stack ?? ''}\n`);
  }
  return failure.exit;
}

/**
 * Runs one `codex-team` command line against a command table and returns the exit status (see
 * EXIT): every error is one line `codex-team <command>: CODE: message` on stderr, never a stack
 * trace. Everything written passes the terminal sanitiser (OutputSink). `runCli` passes the full
 * table; the runtime bin passes only `hook`.
 */
export async function runCommandLine(argv: readonly string[], cliIo: CliIo, commands: readonly Command[]): Promise<number> {
  const io: CommandIo = { ...cliIo, stdout: new OutputSink(cliIo.stdout), stderr: new OutputSink(cliIo.stderr) };
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout.write(`codex-team ${CLI_VERSION}\n`);
    return EXIT.ok;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = commands.find((command) => command.name === rest[0]);
    if (rest[0] !== undefined && topic === undefined) {
      report(io, '', { code: 'USAGE', message: `unknown command "${rest[0]}" (run codex-team --help for the list)` });
      return EXIT.usage;
    }
    io.stdout.write(topic === undefined ? usage(commands) : commandUsage(topic));
    return EXIT.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const message = name === undefined ? 'missing command' : `unknown command "${name}"`;
    report(io, '', { code: 'USAGE', message: `${message} (run codex-team --help for the list)` });
    return EXIT.usage;
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
    if (!isParseArgsError(error)) return settle(io, command, { error });
    report(io, command.name, { code: 'USAGE', message: `${firstSentence(error.message)} (run codex-team ${command.name} --help)` });
    return EXIT.usage;
  }
  const extra = parsed.positionals[command.maxPositionals ?? Number.MAX_SAFE_INTEGER];
  if (extra !== undefined) {
    report(io, command.name, { code: 'USAGE', message: `unexpected argument ${JSON.stringify(extra)} (run codex-team ${command.name} --help)` });
    return EXIT.usage;
  }
  if (parsed.values['help'] === true) {
    io.stdout.write(commandUsage(command));
    return EXIT.ok;
  }
  try {
    return settle(io, command, { code: await command.run({ values: parsed.values, positionals: parsed.positionals }, io) });
  } catch (error) {
    return settle(io, command, { error });
  }
}
