import type { ParseArgsConfig } from 'node:util';
import type { CommandIo } from '../cli-io';
import { UsageError } from '../errors';

/** The option table `util.parseArgs` takes (its type is not exported by name). */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Option values as `util.parseArgs` returns them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/**
 * One `codex-team <name>` command. The command table (commands/index.ts) lists them; `runCli`
 * parses the arguments with the command's `options` (strict: an unknown flag is a usage error)
 * and adds `--help` to every command.
 */
export interface Command {
  name: string;
  /** One line for the command list of `codex-team --help`. */
  summary: string;
  /** The synopsis after `codex-team <name>`, e.g. `[--codex-home DIR] [--db PATH]`. */
  synopsis: string;
  /** Lines explaining each option, shown by `codex-team <name> --help`. */
  details: readonly string[];
  options: OptionsConfig;
  /** Whether the command takes positional arguments. @default false */
  allowPositionals?: boolean;
  /** How many positional arguments it takes at most, when it takes any. @default no limit */
  maxPositionals?: number;
  /**
   * A server: it runs until asked to stop (Ctrl-C, SIGTERM), and stopping is its normal end, so
   * its own exit status stands instead of INTERRUPTED. @default false
   */
  runsUntilStopped?: boolean;
  /**
   * Returns the process exit status: 0 success, 1 failure (see EXIT). Throws for errors: a
   * UsageError for a bad command line (exit 2), a TeamError with its stable code (exit 1).
   */
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
}

/** The string value of an option, or undefined when it was not given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a boolean flag was given. */
export function flagOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/**
 * The whole-number value of an option (from `min`, default 0, to `max`), undefined when it was not
 * given; a UsageError naming the value otherwise.
 */
export function wholeOption(values: OptionValues, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min || Number(text) > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : '';
    throw new UsageError(`--${name} must be a whole number${range}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** A positional argument the command requires; a UsageError naming it when missing. */
export function requiredPositional(args: ParsedArgs, index: number, what: string): string {
  const value = args.positionals[index];
  if (value === undefined || value === '') throw new UsageError(`give ${what}`);
  return value;
}
