import type { Command } from './command';
import { doctorCommand } from './doctor';
import { installCommand } from './install';
import { recoverCommand } from './recover';
import { uninstallCommand } from './uninstall';

/**
 * Every `codex-team` command, in the order `--help` lists them. To add one, write
 * `commands/<name>.ts` exporting a `Command` and list it here.
 */
export const COMMANDS: readonly Command[] = [installCommand, uninstallCommand, doctorCommand, recoverCommand];
