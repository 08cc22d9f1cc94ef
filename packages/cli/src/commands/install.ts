import { dirname, join, resolve } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { loadHooksFile } from '@codex-team/mcp-server';
import { isPostgresUrl, makeDirectory, redactStoreLocation } from '@codex-team/store';
import { installCodexIntegration } from '../codex/codex-integration';
import { readCodexConfig } from '../codex/codex-config';
import { installLogPath, projectStorePath, resolveProfilesDir, resolveStoreLocation, resolveTeamHome } from '../codex/codex-paths';
import { codexThreadCapOf, mergeCodexConfigs } from '../codex/codex-thread-cap';
import { readShippedSkill } from '../codex/package-assets';
import { installRuntime } from '../codex/runtime-install';
import { checkProjectTrust } from '../doctor/doctor-checks';
import { UsageError } from '../errors';
import { flagOption, stringOption, type Command } from './command';
import { CODEX_TARGET_DETAILS, CODEX_TARGET_OPTIONS, codexSelection, surfaceChoice } from './codex-options';
import { DEFAULT_TOKEN_ENV } from './serve';
import { httpOptions } from './url-entry-options';

/** `codex-team install`: register the MCP server, the skill and (optionally) the hooks with Codex. */
export const installCommand: Command = {
  name: 'install',
  summary: 'Register the codex-team MCP server and skill (and with --hooks, its hooks) with Codex',
  synopsis:
    '[--codex-home DIR] [--project DIR] [--name NAME] [--db PATH] [--profiles-dir DIR] [--hooks] [--hooks-file FILE] ' +
    '[--multi-agent auto|v1|v2] [--url URL [--bearer-env VAR]]',
  details: [
    ...CODEX_TARGET_DETAILS,
    '--db PATH         store file (default: ~/.codex-team/team.db; with --project, one store per project under ~/.codex-team/projects/)',
    '--profiles-dir DIR  your own policy profiles (default: ~/.codex-team/profiles)',
    '--hooks           add Stop and SubagentStop hooks that keep teammates and the lead working while work is open',
    "--hooks-file FILE codex-team's lifecycle hooks for every team (docs/hooks.md), checked now, passed as an absolute path",
    "--multi-agent S   plan with Codex's v1 or v2 thread cap; auto (default): the config's, or the smaller when the model may pick",
    '--url URL         connect Codex to a running `codex-team serve --http` at URL instead of starting a server',
    `--bearer-env VAR  with --url: the variable Codex reads the bearer token from (default: ${DEFAULT_TOKEN_ENV});`,
    '                  set it in the environment Codex runs in; the token is not written to config.toml.',
    '                  The store, profiles, Codex\'s cap and the lifecycle hooks are then the server\'s flags',
    '                  (not with --db, --profiles-dir, --hooks, --hooks-file)',
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
    url: { type: 'string' },
    'bearer-env': { type: 'string' },
  },
  run(args, io) {
    const { codexHome, target, serverName } = codexSelection(args.values, io);
    const choice = surfaceChoice(args.values);
    const http = httpOptions(args.values);
    const hooks = flagOption(args.values, 'hooks');
    if (http !== undefined && hooks) {
      throw new UsageError('--hooks goes without --url: the hooks read the store, which belongs to the codex-team serve --http process');
    }
    const hooksFile = checkedHooksFile(stringOption(args.values, 'hooks-file'), io.cwd);
    // A Codex home (or project layer) that cannot be written is refused before anything is
    // written, the runtime folder included.
    makeDirectory(dirname(target.configPath));
    const userConfig = readCodexConfig(join(codexHome, 'config.toml'));
    const layers = target.scope === 'project' ? [userConfig, readCodexConfig(target.configPath)] : [userConfig];
    const cap = codexThreadCapOf(mergeCodexConfigs(layers), choice);
    const capLine = `  codex cap: ${cap.teammates} teammate${cap.teammates === 1 ? '' : 's'} at once (${cap.from})`;
    const skillTemplate = readShippedSkill();
    const lines: string[] = [];
    let result;
    if (http !== undefined) {
      result = installCodexIntegration({ target, serverName, skillTemplate, ...http });
      lines.push(
        `  url:       ${http.url}`,
        `  token:     from $${http.bearerTokenEnvVar} in the environment Codex runs in`,
        capLine,
        `  start the server with it: codex-team serve --http HOST:PORT --name ${serverName} --codex-thread-cap ${cap.teammates}`,
      );
    } else {
      const teamHome = resolveTeamHome(io);
      const dbFlag = stringOption(args.values, 'db');
      const dbPath =
        dbFlag === undefined && target.projectDir !== undefined ? projectStorePath(teamHome, target.projectDir) : resolveStoreLocation(dbFlag, io);
      if (hooks && isPostgresUrl(dbPath)) {
        // The hooks would check nothing there, and their command line would carry the URL, password and all, into hooks.json.
        throw new UsageError(`--hooks goes without a PostgreSQL --db: the Stop hooks read a SQLite store file, not ${redactStoreLocation(dbPath)}`);
      }
      const profilesDir = resolveProfilesDir(stringOption(args.values, 'profiles-dir'), io);
      const runtime = installRuntime(teamHome);
      result = installCodexIntegration({
        target,
        serverName,
        dbPath,
        profilesDir,
        nodePath: io.execPath,
        serverBin: runtime.serverBin,
        codexThreadCap: cap,
        skillTemplate,
        ...(hooksFile === undefined ? {} : { hooksFile }),
        logFile: installLogPath(teamHome, 'server', serverName),
        ...(hooks ? { hooks: { cliBin: runtime.cliBin, logPath: installLogPath(teamHome, 'hooks', serverName) } } : {}),
      });
      lines.push(
        `  runtime:   ${runtime.dir} (${runtime.changed ? 'installed' : 'already there'}; the checkout can move or go)`,
        `  command:   ${io.execPath} ${runtime.serverBin}`,
        `  store:     ${redactStoreLocation(dbPath)}`,
        `  profiles:  ${profilesDir}`,
        `  logs:      ${installLogPath(teamHome, 'server', serverName)}`,
        capLine,
        ...(hooksFile === undefined ? [] : [`  hooks:     ${hooksFile} (lifecycle hooks of every team)`]),
      );
    }
    lines.unshift(`${result.configChanged ? 'registered' : 'already registered'} [mcp_servers.${serverName}] in ${result.configPath}`);
    lines.push(`${result.skillChanged ? 'installed' : 'already installed'} skill ${result.skillPath} (the model sees the tools as mcp__${serverName})`);
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
 * The lifecycle hooks file as an absolute path, once the server's own reader accepts it: a file the
 * server could not use is refused here, before anything is written.
 */
function checkedHooksFile(flag: string | undefined, cwd: string): string | undefined {
  if (flag === undefined) return undefined;
  if (flag === '') throw new TeamError('INVALID_INPUT', '--hooks-file needs a path');
  const path = resolve(cwd, flag);
  loadHooksFile(path);
  return path;
}
