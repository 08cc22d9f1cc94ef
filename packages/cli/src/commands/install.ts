import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { parseHooksFile } from '@codex-team/hooks';
import { DEFAULT_SERVER_NAME, checkServerName, resolveCodexHome, resolveDbPath, resolveProfilesDir } from '../codex/codex-paths';
import { installCodexIntegration } from '../codex/codex-integration';
import { mcpServerBinPath, readShippedSkill } from '../codex/package-assets';
import { stringOption, type Command } from './command';

/** `codex-team install`: register the MCP server and the skill with Codex. */
export const installCommand: Command = {
  name: 'install',
  summary: 'Register the codex-team MCP server and skill with Codex',
  synopsis: '[--codex-home DIR] [--db PATH] [--profiles-dir DIR] [--name NAME] [--hooks-file FILE]',
  details: [
    '--codex-home DIR  Codex home to edit (default: $CODEX_HOME, else ~/.codex)',
    '--db PATH         store file, written as an absolute path (default: ~/.codex-team/team.db)',
    '--profiles-dir DIR  your own policy profiles, written as an absolute path (default: ~/.codex-team/profiles)',
    `--name NAME       MCP server name; the model sees mcp__NAME (default: ${DEFAULT_SERVER_NAME})`,
    '--hooks-file FILE lifecycle hooks for every team (docs/hooks.md), checked now and written as an absolute path',
    'Adds a marked [mcp_servers.NAME] block to config.toml and the skill to skills/codex-team/.',
    'Rerunning it is safe; `codex-team uninstall` removes exactly what it added.',
  ],
  options: {
    'codex-home': { type: 'string' },
    db: { type: 'string' },
    'profiles-dir': { type: 'string' },
    name: { type: 'string' },
    'hooks-file': { type: 'string' },
  },
  run(args, io) {
    const serverName = checkServerName(stringOption(args.values, 'name') ?? DEFAULT_SERVER_NAME);
    const hooksFile = checkedHooksFile(stringOption(args.values, 'hooks-file'), io.cwd);
    const result = installCodexIntegration({
      codexHome: resolveCodexHome(stringOption(args.values, 'codex-home'), io),
      serverName,
      dbPath: resolveDbPath(stringOption(args.values, 'db'), io),
      profilesDir: resolveProfilesDir(stringOption(args.values, 'profiles-dir'), io),
      nodePath: io.execPath,
      serverBin: mcpServerBinPath(),
      skillText: readShippedSkill(),
      ...(hooksFile === undefined ? {} : { hooksFile }),
    });
    const [bin, , db, , profiles] = result.entry.args;
    io.stdout.write(
      `${result.configChanged ? 'registered' : 'already registered'} [mcp_servers.${serverName}] in ${result.configPath}\n` +
        `  command: ${result.entry.command} ${bin ?? ''}\n` +
        `  store:   ${db ?? ''}\n` +
        `  profiles: ${profiles ?? ''}\n` +
        (hooksFile === undefined ? '' : `  hooks:   ${hooksFile}\n`) +
        `${result.skillChanged ? 'installed' : 'already installed'} skill ${result.skillPath}\n` +
        'Check it with: codex-team doctor\n',
    );
    return Promise.resolve(0);
  },
};

/**
 * The hooks file as an absolute path, once it reads as a valid hooks file: a file the server would
 * refuse to start with is refused here, before anything is written.
 */
function checkedHooksFile(flag: string | undefined, cwd: string): string | undefined {
  if (flag === undefined) return undefined;
  if (flag === '') throw new TeamError('INVALID_INPUT', '--hooks-file needs a path');
  const path = resolve(cwd, flag);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TeamError('NOT_FOUND', `hooks file ${path} cannot be read: ${(error as Error).message}`);
  }
  parseHooksFile(text, path);
  return path;
}
