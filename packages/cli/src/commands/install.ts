import { DEFAULT_SERVER_NAME, checkServerName, resolveCodexHome, resolveDbPath, resolveProfilesDir } from '../codex/codex-paths';
import { installCodexIntegration } from '../codex/codex-integration';
import { isUrlEntry } from '../codex/config-block';
import { mcpServerBinPath, readShippedSkill } from '../codex/package-assets';
import { stringOption, type Command } from './command';
import { DEFAULT_TOKEN_ENV } from './serve';
import { httpOptions } from './url-entry-options';

/** `codex-team install`: register the MCP server and the skill with Codex. */
export const installCommand: Command = {
  name: 'install',
  summary: 'Register the codex-team MCP server and skill with Codex',
  synopsis: '[--codex-home DIR] [--db PATH] [--profiles-dir DIR] [--name NAME] [--url URL [--bearer-env VAR]]',
  details: [
    '--codex-home DIR  Codex home to edit (default: $CODEX_HOME, else ~/.codex)',
    '--db PATH         store file, written as an absolute path (default: ~/.codex-team/team.db)',
    '--profiles-dir DIR  your own policy profiles, written as an absolute path (default: ~/.codex-team/profiles)',
    `--name NAME       MCP server name; the model sees mcp__NAME (default: ${DEFAULT_SERVER_NAME})`,
    '--url URL         connect Codex to a running `codex-team serve --http` at URL instead of starting a server',
    `--bearer-env VAR  with --url: the variable Codex reads the bearer token from (default: ${DEFAULT_TOKEN_ENV});`,
    '                  set it in the environment Codex runs in; the token is not written to config.toml',
    'Adds a marked [mcp_servers.NAME] block to config.toml and the skill to skills/codex-team/.',
    'Rerunning it is safe; `codex-team uninstall` removes exactly what it added.',
  ],
  options: {
    'codex-home': { type: 'string' },
    db: { type: 'string' },
    'profiles-dir': { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string' },
    'bearer-env': { type: 'string' },
  },
  run(args, io) {
    const serverName = checkServerName(stringOption(args.values, 'name') ?? DEFAULT_SERVER_NAME);
    const http = httpOptions(args.values);
    const result = installCodexIntegration({
      ...(http === undefined ? {} : { http }),
      codexHome: resolveCodexHome(stringOption(args.values, 'codex-home'), io),
      serverName,
      dbPath: resolveDbPath(stringOption(args.values, 'db'), io),
      profilesDir: resolveProfilesDir(stringOption(args.values, 'profiles-dir'), io),
      nodePath: io.execPath,
      serverBin: mcpServerBinPath(),
      skillText: readShippedSkill(),
    });
    const { entry } = result;
    const [bin, , db, , profiles] = isUrlEntry(entry) ? [] : entry.args;
    io.stdout.write(
      `${result.configChanged ? 'registered' : 'already registered'} [mcp_servers.${serverName}] in ${result.configPath}\n` +
        (isUrlEntry(entry)
          ? `  url:     ${entry.url}\n` + `  token:   from $${entry.bearerTokenEnvVar} in the environment Codex runs in\n`
          : `  command: ${entry.command} ${bin ?? ''}\n` + `  store:   ${db ?? ''}\n` + `  profiles: ${profiles ?? ''}\n`) +
        `${result.skillChanged ? 'installed' : 'already installed'} skill ${result.skillPath}\n` +
        'Check it with: codex-team doctor\n',
    );
    return Promise.resolve(0);
  },
};
