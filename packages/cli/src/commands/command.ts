import type { ParseArgsConfig } from 'node:util';
import { TeamError } from '@codex-team/contracts';
import type { CliIo } from '../cli-io';

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
  /** Returns the process exit code: 0 success, 1 failure (2 is reserved for usage errors). */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
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

/** The whole-number value of an option, undefined when it was not given; INVALID_INPUT otherwise. */
export function wholeOption(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new TeamError('INVALID_INPUT', `--${name} must be a whole number`);
  return Number(text);
}
