import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_NAMES } from '@codex-team/contracts';
import { readServerEntry } from './codex-config';
import { installCodexIntegration, uninstallCodexIntegration, type ProcessInstallOptions } from './codex-integration';
import { userTarget } from './codex-paths';
import { readShippedSkill } from './package-assets';

let home: string;
let options: ProcessInstallOptions;
const CAP = { teammates: 3, from: 'multi-agent v2 default: 4 threads per session, lead included' };

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const serverBin = join(home, 'fake-bin.js');
  writeFileSync(serverBin, '// stands in for codex-team-mcp\n');
  options = {
    target: userTarget(join(home, '.codex')),
    serverName: 'team',
    dbPath: join(home, 'team.db'),
    nodePath: process.execPath,
    serverBin,
    codexThreadCap: CAP,
    skillTemplate: readShippedSkill(),
    logFile: join(home, '.codex-team', 'logs', 'server-team.log'),
  };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const skillOf = (name: string): string => join(home, '.codex', 'skills', name, 'SKILL.md');

describe('installCodexIntegration', () => {
  it("writes the server entry with Codex's cap and the skill, and uninstall removes both", () => {
    const first = installCodexIntegration(options);
    expect(first).toMatchObject({ configChanged: true, skillChanged: true, hooksPath: null });
    expect(first.entry).toEqual({
      command: process.execPath,
      // The Codex home goes to the server: its session rollouts measure each agent's token usage.
      // And a log file: Codex keeps no server's stderr.
      args: [
        options.serverBin,
        '--db',
        options.dbPath,
        '--name',
        'team',
        '--codex-thread-cap',
        '3',
        '--codex-thread-cap-from',
        CAP.from,
        '--codex-home',
        join(home, '.codex'),
        '--log-file',
        join(home, '.codex-team', 'logs', 'server-team.log'),
      ],
      startupTimeoutSec: 30,
      toolTimeoutSec: 120,
    });
    expect(readFileSync(skillOf('codex-team'), 'utf8')).toBe(options.skillTemplate);
    expect(installCodexIntegration(options)).toMatchObject({ configChanged: false, skillChanged: false });
    expect(uninstallCodexIntegration(options.target, 'team')).toMatchObject({ configChanged: true, skillRemoved: true, hooksRemoved: false });
    expect(existsSync(options.target.configPath)).toBe(false);
    expect(existsSync(join(home, '.codex', 'skills', 'codex-team'))).toBe(false);
  });

  it('refuses with NOT_FOUND, writing nothing, when the server is not built', () => {
    expect(() => installCodexIntegration({ ...options, serverBin: join(home, 'missing.js') })).toThrow(/^NOT_FOUND: codex-team-mcp is not built/);
    expect(existsSync(join(home, '.codex'))).toBe(false);
  });

  it('leaves a skill of another name alone on uninstall', () => {
    mkdirSync(join(home, '.codex', 'skills', 'codex-team'), { recursive: true });
    writeFileSync(skillOf('codex-team'), '---\nname: something-else\n---\n');
    expect(uninstallCodexIntegration(options.target, 'team').skillRemoved).toBe(false);
    expect(existsSync(skillOf('codex-team'))).toBe(true);
  });

  it('installs a skill per server name that names mcp__<name>, and uninstalling one name keeps the other', () => {
    installCodexIntegration(options);
    installCodexIntegration({ ...options, serverName: 'crew' });
    const crew = readFileSync(skillOf('codex-team-crew'), 'utf8');
    expect(crew).toMatch(/^---\nname: codex-team-crew\ndescription: .*mcp__crew tools/);
    expect(crew).not.toContain('mcp__team');
    expect(readFileSync(skillOf('codex-team'), 'utf8')).toContain('mcp__team tools');
    expect(readServerEntry(options.target.configPath, 'crew')?.args).toContain('crew');

    expect(uninstallCodexIntegration(options.target, 'crew')).toMatchObject({ configChanged: true, skillRemoved: true });
    expect(existsSync(skillOf('codex-team-crew'))).toBe(false);
    expect(readFileSync(skillOf('codex-team'), 'utf8')).toBe(options.skillTemplate);
    expect(readServerEntry(options.target.configPath, 'team')?.managed).toBe(true);
    expect(readServerEntry(options.target.configPath, 'crew')).toBeUndefined();
  });

  it("adds the hooks after the user's own, keeps theirs and another name's on uninstall, and deletes a file it created", () => {
    const hooksPath = options.target.hooksPath;
    const user = { hooks: { Stop: [{ hooks: [{ type: 'command', command: 'say done', timeout: 3 }] }] }, note: 'mine' };
    mkdirSync(join(home, '.codex'), { recursive: true });
    writeFileSync(hooksPath, JSON.stringify(user));
    const hooks = { cliBin: join(home, 'runtime', 'codex-team.cjs'), logPath: join(home, 'hooks.log') };
    expect(installCodexIntegration({ ...options, hooks }).hooksChanged).toBe(true);
    expect(installCodexIntegration({ ...options, hooks }).hooksChanged).toBe(false);
    installCodexIntegration({ ...options, serverName: 'crew', hooks });
    const written = JSON.parse(readFileSync(hooksPath, 'utf8')) as { note: string; hooks: Record<string, { hooks: { command: string }[] }[]> };
    expect(written.note).toBe('mine');
    expect(written.hooks['Stop']?.map((group) => group.hooks[0]?.command.split(' ').slice(2, 4).join(' ') ?? '')).toEqual([
      '',
      'hook stop',
      'hook stop',
    ]);
    expect(written.hooks['Stop']?.[0]?.hooks[0]?.command).toBe('say done');
    expect(written.hooks['SubagentStop']?.[0]?.hooks[0]?.command).toContain(`hook subagent-stop --db ${options.dbPath} --log`);

    expect(uninstallCodexIntegration(options.target, 'team').hooksRemoved).toBe(true);
    const afterTeam = JSON.parse(readFileSync(hooksPath, 'utf8')) as typeof written;
    expect(afterTeam.hooks['Stop']?.map((group) => group.hooks[0]?.command.endsWith('--name crew') ?? false)).toEqual([false, true]);
    uninstallCodexIntegration(options.target, 'crew');
    expect(JSON.parse(readFileSync(hooksPath, 'utf8'))).toEqual(user);

    rmSync(hooksPath);
    installCodexIntegration({ ...options, hooks });
    uninstallCodexIntegration(options.target, 'team');
    expect(existsSync(hooksPath)).toBe(false);
  });

  it('refuses a hooks.json that is not a hooks file, changing nothing: the config and skill it wrote go back', () => {
    mkdirSync(join(home, '.codex'), { recursive: true });
    writeFileSync(options.target.hooksPath, '{"hooks": [1]}');
    const hooks = { cliBin: join(home, 'codex-team.cjs'), logPath: join(home, 'hooks.log') };
    expect(() => installCodexIntegration({ ...options, hooks })).toThrow(/^INVALID_INPUT: .*not a Codex hooks file/);
    expect(readFileSync(options.target.hooksPath, 'utf8')).toBe('{"hooks": [1]}');
    expect(readdirSync(join(home, '.codex'))).toEqual(['hooks.json']);

    writeFileSync(options.target.configPath, '# mine\n');
    expect(() => installCodexIntegration({ ...options, hooks })).toThrow(/^INVALID_INPUT/);
    expect(readFileSync(options.target.configPath, 'utf8')).toBe('# mine\n');
  });

  it('puts the config back when the skill cannot be written', () => {
    mkdirSync(join(home, '.codex'), { recursive: true });
    writeFileSync(options.target.configPath, '# mine\n');
    writeFileSync(options.target.skillsDir, 'a file where the skills folder goes\n');
    expect(() => installCodexIntegration(options)).toThrow(/^FILE_ACCESS/);
    expect(readFileSync(options.target.configPath, 'utf8')).toBe('# mine\n');
  });

  it("registers a running codex-team serve --http as Codex 0.171's url entry (url + bearer_token_env_var), with the skill", () => {
    const url = { target: options.target, serverName: 'team', skillTemplate: options.skillTemplate, url: 'http://127.0.0.1:8765/mcp', bearerTokenEnvVar: 'TEAM_TOKEN' };
    const first = installCodexIntegration(url);
    expect(first).toMatchObject({ configChanged: true, skillChanged: true, hooksPath: null });
    const text = readFileSync(options.target.configPath, 'utf8');
    expect(text).toContain('url = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "TEAM_TOKEN"\n');
    expect(text).not.toMatch(/^command =|^args =/m);
    expect(readServerEntry(options.target.configPath, 'team')?.raw).toMatchObject({ url: url.url, bearer_token_env_var: 'TEAM_TOKEN' });
    expect(installCodexIntegration(url)).toMatchObject({ configChanged: false, skillChanged: false });
    // Switching the same name back to a process entry replaces the block.
    installCodexIntegration(options);
    expect(readServerEntry(options.target.configPath, 'team')?.raw['url']).toBeUndefined();
    expect(uninstallCodexIntegration(options.target, 'team')).toMatchObject({ configChanged: true, skillRemoved: true });
    expect(existsSync(options.target.configPath)).toBe(false);
  });
});

describe('the shipped skill', () => {
  it('has Codex skill front matter with a name and a description', () => {
    const text = readShippedSkill();
    const front = /^---\nname: codex-team\ndescription: (.+)\n---\n/.exec(text);
    expect(front?.[1]?.length).toBeGreaterThan(40);
  });

  it('stays within 45 lines and names the protocol tools', () => {
    const text = readShippedSkill();
    // Read into the context of every thread that uses it, so every line costs on every agent.
    expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(45);
    for (const tool of ['team_start', 'team_task_create', 'team_spawn', 'spawn_agent', 'spawn_with', 'task_name', 'fork_turns', 'wait_agent', 'followup_task', 'team_inbox', 'team_status', 'team_finalize', 'close_agent', 'team_join', 'team_task_next', 'team_task_complete', 'team_task_update', 'team_artifact_publish', 'team_brief', 'team_resume', 'restart: true', 'team_checkpoint', 'full: true', 'next_offset', 'team_child', 'takeover', 'risk', 'HOOK_BLOCKED']) {
      expect(text).toContain(tool);
    }
  });

  it('names only tools the server has', () => {
    const named = [...new Set(readShippedSkill().match(/\bteam_[a-z_]+/g) ?? [])];
    expect(named.filter((name) => !(TOOL_NAMES as string[]).includes(name))).toEqual([]);
  });

  it('tells agents to read their brief after Codex compacts their context, and the lead how to restart a teammate on a fresh thread', () => {
    const text = readShippedSkill();
    expect(text).toMatch(/compacts your context: call `team_brief` first/);
    expect(text).toMatch(/team_spawn \{name, role, restart: true\}/);
    expect(text).toMatch(/v2 a new\s+task_name with `fork_turns: "none"`/);
    expect(text).toMatch(/`team_resume`\s+answers its brief/);
  });
});
