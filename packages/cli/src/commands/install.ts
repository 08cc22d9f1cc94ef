import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { parseHooksFile } from '@codex-team/hooks';
import { installCodexIntegration } from '../codex/codex-integration';
import { readCodexConfig } from '../codex/codex-config';
import { projectStorePath, resolveDbPath, resolveProfilesDir, resolveTeamHome } from '../codex/codex-paths';
import { codexThreadCapOf, mergeCodexConfigs } from '../codex/codex-thread-cap';
import { readShippedSkill } from '../codex/package-assets';
import { installRuntime } from '../codex/runtime-install';
import { checkProjectTrust } from '../doctor/doctor-checks';
import { flagOption, stringOption, type Command } from './command';
import { CODEX_TARGET_DETAILS, CODEX_TARGET_OPTIONS, codexSelection, surfaceChoice } from './codex-options';

/** `codex-team install`: register the MCP server, the skill and (optionally) the hooks with Codex. */
export const installCommand: Command = {
  name: 'install',
  summary: 'Register the codex-team MCP server and skill (and with --hooks, its hooks) with Codex',
  synopsis:
    '[--codex-home DIR] [--project DIR] [--name NAME] [--db PATH] [--profiles-dir DIR] [--hooks] [--hooks-file FILE] [--multi-agent auto|v1|v2]',
  details: [
    ...CODEX_TARGET_DETAILS,
    '--db PATH         store file (default: ~/.codex-team/team.db; with --project, one store per project under ~/.codex-team/projects/)',
    '--profiles-dir DIR  your own policy profiles (default: ~/.codex-team/profiles)',
    '--hooks           add Stop and SubagentStop hooks that keep teammates and the lead working while work is open',
    "--hooks-file FILE codex-team's lifecycle hooks for every team (docs/hooks.md), checked now, passed as an absolute path",
    "--multi-agent S   plan with Codex's v1 or v2 thread cap; auto (default): the config's, or the smaller when the model may pick",
    'Copies the server into a runtime folder of its own (~/.codex-team/versions/), adds a marked',
    '[mcp_servers.NAME] block to config.toml and the skill to skills/. Rerunning it is safe;',
    '`codex-team uninstall` removes exactly what it added for that name.',
  ],
  options: {
    ...CODEX_TARGET_OPTIONS,
    db: { type: 'string' },
    'profiles-dir': { type: 'string' },
    hooks: { type: 'boolean' },
    'hooks-file': { type: 'string' },
    'multi-agent': { type: 'string' },
  },
  run(args, io) {
    const { codexHome, target, serverName } = codexSelection(args.values, io);
    const hooksFile = checkedHooksFile(stringOption(args.values, 'hooks-file'), io.cwd);
    const choice = surfaceChoice(args.values);
    const teamHome = resolveTeamHome(io);
    const dbFlag = stringOption(args.values, 'db');
    const dbPath =
      dbFlag === undefined && target.projectDir !== undefined ? projectStorePath(teamHome, target.projectDir) : resolveDbPath(dbFlag, io);
    const userConfig = readCodexConfig(join(codexHome, 'config.toml'));
    const layers = target.scope === 'project' ? [userConfig, readCodexConfig(target.configPath)] : [userConfig];
    const cap = codexThreadCapOf(mergeCodexConfigs(layers), choice);
    const runtime = installRuntime(teamHome);
    const hooks = flagOption(args.values, 'hooks');
    const result = installCodexIntegration({
      target,
      serverName,
      dbPath,
      profilesDir: resolveProfilesDir(stringOption(args.values, 'profiles-dir'), io),
      nodePath: io.execPath,
      serverBin: runtime.serverBin,
      codexThreadCap: cap,
      skillTemplate: readShippedSkill(),
      ...(hooksFile === undefined ? {} : { hooksFile }),
      ...(hooks ? { hooks: { cliBin: runtime.cliBin, logPath: join(teamHome, 'logs', `hooks-${serverName}.log`) } } : {}),
    });
    const [, , db, , profiles] = result.entry.args;
    const lines = [
      `${result.configChanged ? 'registered' : 'already registered'} [mcp_servers.${serverName}] in ${result.configPath}`,
      `  runtime:   ${runtime.dir} (${runtime.changed ? 'installed' : 'already there'}; the checkout can move or go)`,
      `  command:   ${result.entry.command} ${runtime.serverBin}`,
      `  store:     ${db ?? ''}`,
      `  profiles:  ${profiles ?? ''}`,
      `  codex cap: ${cap.teammates} teammate${cap.teammates === 1 ? '' : 's'} at once (${cap.from})`,
      ...(hooksFile === undefined ? [] : [`  hooks:     ${hooksFile} (lifecycle hooks of every team)`]),
      `${result.skillChanged ? 'installed' : 'already installed'} skill ${result.skillPath} (the model sees the tools as mcp__${serverName})`,
    ];
    if (result.hooksPath !== null) {
      lines.push(
        `${result.hooksChanged ? 'added' : 'already added'} the Stop and SubagentStop hooks to ${result.hooksPath}`,
        '  Codex runs a hook only once you have reviewed it: start `codex`, open /hooks and trust the two',
        '  codex-team hooks (`codex exec` skips unreviewed hooks). codex-team never trusts them for you;',
        '  `codex-team doctor` shows whether each is trusted, untrusted or modified.',
      );
    }
    if (target.projectDir !== undefined) {
      const trust = checkProjectTrust(target.projectDir, userConfig);
      lines.push(`project: ${trust.detail}${trust.fix === undefined ? '' : `; ${trust.fix}`}`);
    }
    const where = [target.projectDir === undefined ? '' : ` --project ${target.projectDir}`, serverName === 'team' ? '' : ` --name ${serverName}`].join('');
    lines.push(`Check it with: codex-team doctor${where}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return Promise.resolve(0);
  },
};

/**
 * The lifecycle hooks file as an absolute path, once it reads as a valid hooks file: a file the
 * server could not use is refused here, before anything is written.
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
