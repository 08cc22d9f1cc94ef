import { agentCommand } from './agent';
import { artifactCommand } from './artifact';
import { benchCommand } from './bench';
import { cancelCommand, finalizeCommand } from './close-team';
import type { Command } from './command';
import { demoCommand } from './demo';
import { doctorCommand } from './doctor';
import { hookCommand } from './hook';
import { installCommand } from './install';
import { messagesCommand } from './messages';
import { pruneCommand } from './prune';
import { recoverCommand } from './recover';
import { replayCommand } from './replay';
import { reportCommand } from './report';
import { sendCommand } from './send';
import { serveCommand } from './serve';
import { statusCommand } from './status';
import { tasksCommand } from './tasks';
import { teamsCommand } from './teams';
import { uiCommand } from './ui';
import { uninstallCommand } from './uninstall';
import { watchCommand } from './watch';

/**
 * Every `codex-team` command, in the order `--help` lists them. To add one, write
 * `commands/<name>.ts` exporting a `Command` and list it here.
 */
export const COMMANDS: readonly Command[] = [
  installCommand,
  uninstallCommand,
  doctorCommand,
  serveCommand,
  benchCommand(),
  demoCommand,
  teamsCommand,
  statusCommand,
  tasksCommand,
  watchCommand,
  replayCommand,
  reportCommand,
  uiCommand,
  messagesCommand,
  agentCommand,
  artifactCommand,
  sendCommand,
  finalizeCommand,
  cancelCommand,
  pruneCommand,
  recoverCommand,
  hookCommand,
];
