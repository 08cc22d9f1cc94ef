import { DEFAULT_SERVER_NAME, checkServerName, resolveCodexHome } from '../codex/codex-paths';
import { uninstallCodexIntegration } from '../codex/codex-integration';
import { stringOption, type Command } from './command';

/** `codex-team uninstall`: remove what `install` added to a Codex home. */
export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'Remove what `codex-team install` added to Codex (the store is kept)',
  synopsis: '[--codex-home DIR] [--name NAME]',
  details: [
    '--codex-home DIR  Codex home to edit (default: $CODEX_HOME, else ~/.codex)',
    `--name NAME       MCP server name given to install (default: ${DEFAULT_SERVER_NAME})`,
  ],
  options: {
    'codex-home': { type: 'string' },
    name: { type: 'string' },
  },
  run(args, io) {
    const serverName = checkServerName(stringOption(args.values, 'name') ?? DEFAULT_SERVER_NAME);
    const result = uninstallCodexIntegration(resolveCodexHome(stringOption(args.values, 'codex-home'), io), serverName);
    io.stdout.write(
      `${result.configChanged ? 'removed' : 'no codex-team block for'} [mcp_servers.${serverName}] in ${result.configPath}\n` +
        `${result.skillRemoved ? 'removed' : 'no codex-team'} skill ${result.skillPath}\n`,
    );
    return Promise.resolve(0);
  },
};
