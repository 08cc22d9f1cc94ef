import { uninstallCodexIntegration } from '../codex/codex-integration';
import type { Command } from './command';
import { CODEX_TARGET_DETAILS, CODEX_TARGET_OPTIONS, codexSelection } from './codex-options';

/** `codex-team uninstall`: remove what `install` added for one server name. */
export const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'Remove what `codex-team install` added to Codex for one name (the store is kept)',
  synopsis: '[--codex-home DIR] [--project DIR] [--name NAME]',
  details: [
    ...CODEX_TARGET_DETAILS,
    "Removes that name's config block, skill and hooks; other names' and your own stay. The store",
    'and the runtime folders under ~/.codex-team/versions/ are kept (other installs may use them).',
  ],
  options: CODEX_TARGET_OPTIONS,
  run(args, io) {
    const { target, serverName } = codexSelection(args.values, io);
    const result = uninstallCodexIntegration(target, serverName);
    io.stdout.write(
      `${result.configChanged ? 'removed' : 'no codex-team block for'} [mcp_servers.${serverName}] in ${result.configPath}\n` +
        `${result.skillRemoved ? 'removed' : 'no codex-team'} skill ${result.skillPath}\n` +
        `${result.hooksRemoved ? 'removed the codex-team hooks from' : 'no codex-team hooks in'} ${result.hooksPath}\n`,
    );
    return Promise.resolve(0);
  },
};
