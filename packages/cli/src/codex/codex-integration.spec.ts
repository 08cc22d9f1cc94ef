import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCodexIntegration, uninstallCodexIntegration, type InstallOptions } from './codex-integration';
import { readShippedSkill } from './package-assets';

let home: string;
let options: InstallOptions;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const serverBin = join(home, 'fake-bin.js');
  writeFileSync(serverBin, '// stands in for codex-team-mcp\n');
  options = {
    codexHome: join(home, '.codex'),
    serverName: 'team',
    dbPath: join(home, 'team.db'),
    nodePath: process.execPath,
    serverBin,
    skillText: readShippedSkill(),
  };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('installCodexIntegration', () => {
  it('writes the server entry and the skill, and uninstall removes both', () => {
    const first = installCodexIntegration(options);
    expect(first).toMatchObject({ configChanged: true, skillChanged: true });
    expect(first.entry).toMatchObject({ args: [options.serverBin, '--db', options.dbPath] });
    expect(readFileSync(join(options.codexHome, 'skills', 'codex-team', 'SKILL.md'), 'utf8')).toBe(options.skillText);
    expect(installCodexIntegration(options)).toMatchObject({ configChanged: false, skillChanged: false });

    expect(uninstallCodexIntegration(options.codexHome, 'team')).toMatchObject({ configChanged: true, skillRemoved: true });
    expect(existsSync(join(options.codexHome, 'config.toml'))).toBe(false);
    expect(existsSync(join(options.codexHome, 'skills', 'codex-team'))).toBe(false);
  });

  it('refuses with NOT_FOUND, writing nothing, when the server is not built', () => {
    expect(() => installCodexIntegration({ ...options, serverBin: join(home, 'missing.js') })).toThrow(/^NOT_FOUND: codex-team-mcp is not built/);
    expect(existsSync(options.codexHome)).toBe(false);
  });

  it('leaves a skill of another name alone on uninstall', () => {
    const path = join(options.codexHome, 'skills', 'codex-team', 'SKILL.md');
    mkdirSync(join(options.codexHome, 'skills', 'codex-team'), { recursive: true });
    writeFileSync(path, '---\nname: something-else\n---\n');
    expect(uninstallCodexIntegration(options.codexHome, 'team').skillRemoved).toBe(false);
    expect(existsSync(path)).toBe(true);
  });
});

describe('the shipped skill', () => {
  it('has Codex skill front matter with a name and a description', () => {
    const text = readShippedSkill();
    const front = /^---\nname: codex-team\ndescription: (.+)\n---\n/.exec(text);
    expect(front?.[1]?.length).toBeGreaterThan(40);
  });

  it('stays short and names the protocol tools', () => {
    const text = readShippedSkill();
    expect(text.split('\n').length).toBeLessThan(45);
    for (const tool of ['team_start', 'team_task_create', 'team_spawn', 'spawn_agent', 'wait_agent', 'team_inbox', 'team_finalize', 'close_agent', 'team_join', 'team_task_next', 'team_task_complete', 'team_task_update', 'team_artifact_publish']) {
      expect(text).toContain(tool);
    }
  });
});
