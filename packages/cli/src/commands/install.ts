import { DEFAULT_SERVER_NAME, checkServerName, resolveCodexHome, resolveDbPath, resolveProfilesDir } from '../codex/codex-paths';
import { installCodexIntegration } from '../codex/codex-integration';
import { mcpServerBinPath, readShippedSkill } from '../codex/package-assets';
import { stringOption, type Command } from './command';

/** `codex-team install`: register the MCP server and the skill with Codex. */
export const installCommand: Command = {
  name: 'install',
  summary: 'Register the codex-team MCP server and skill with Codex',
  synopsis: '[--codex-home DIR] [--db PATH] [--profiles-dir DIR] [--name NAME]',
  details: [
    '--codex-home DIR  Codex home to edit (default: $CODEX_HOME, else ~/.codex)',
    '--db PATH         store file, written as an absolute path (default: ~/.codex-team/team.db)',
    '--profiles-dir DIR  your own policy profiles, written as an absolute path (default: ~/.codex-team/profiles)',
    `--name NAME       MCP server name; the model sees mcp__NAME (default: ${DEFAULT_SERVER_NAME})`,
    'Adds a marked [mcp_servers.NAME] block to config.toml and the skill to skills/codex-team/.',
    'Rerunning it is safe; `codex-team uninstall` removes exactly what it added.',
  ],
  options: {
    'codex-home': { type: 'string' },
    db: { type: 'string' },
    'profiles-dir': { type: 'string' },
    name: { type: 'string' },
  },
  run(args, io) {
    const serverName = checkServerName(stringOption(args.values, 'name') ?? DEFAULT_SERVER_NAME);
    const result = installCodexIntegration({
      codexHome: resolveCodexHome(stringOption(args.values, 'codex-home'), io),
      serverName,
      dbPath: resolveDbPath(stringOption(args.values, 'db'), io),
      profilesDir: resolveProfilesDir(stringOption(args.values, 'profiles-dir'), io),
      nodePath: io.execPath,
      serverBin: mcpServerBinPath(),
      skillText: readShippedSkill(),
    });
    const [bin, , db, , profiles] = result.entry.args;
    io.stdout.write(
      `${result.configChanged ? 'registered' : 'already registered'} [mcp_servers.${serverName}] in ${result.configPath}\n` +
        `  command: ${result.entry.command} ${bin ?? ''}\n` +
        `  store:   ${db ?? ''}\n` +
        `  profiles: ${profiles ?? ''}\n` +
        `${result.skillChanged ? 'installed' : 'already installed'} skill ${result.skillPath}\n` +
        'Check it with: codex-team doctor\n',
    );
    return Promise.resolve(0);
  },
};
