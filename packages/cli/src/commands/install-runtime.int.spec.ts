import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TeamStartOutputSchema } from '@codex-team/contracts';
import { packageRoot } from '../codex/package-assets';
import { runCodexExec, writeScriptedProviderConfig } from '../testing/codex-exec';
import { builtCliBin } from '../testing/codex-team-env';
import { answerOnly, mcpCall, ScriptedResponses, type AgentProgram, type ScriptFactory } from '../testing/scripted-responses';

// `codex-team install` as a new user runs it, against the real Codex CLI: what Codex runs must
// not depend on the checkout it was installed from, two installs under two names must live side
// by side, and a project can have its own install and store.

jest.setTimeout(120_000);

let root: string;
let homeDir: string;
let codexHome: string;
let responses: ScriptedResponses | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'codex-team-runtime-'));
  homeDir = join(root, 'home');
  codexHome = join(homeDir, '.codex');
  mkdirSync(codexHome, { recursive: true });
});
afterEach(async () => {
  await responses?.close();
  responses = undefined;
  rmSync(root, { recursive: true, force: true });
});

function run(bin: string, args: readonly string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir, CODEX_HOME: codexHome },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function scripted(factory: ScriptFactory): Promise<ScriptedResponses> {
  responses = await ScriptedResponses.start(factory);
  writeScriptedProviderConfig(codexHome, responses.baseUrl);
  return responses;
}

/**
 * A copy of this built checkout at another place: the packages' built files and the profiles,
 * with a node_modules whose workspace links point into the copy (third-party packages are linked
 * to the real ones, as a fresh `npm ci` would have installed them).
 */
function copyCheckout(to: string): string {
  const checkout = dirname(dirname(packageRoot(__dirname, '@codex-team/cli')));
  for (const name of readdirSync(join(checkout, 'packages'))) {
    const from = join(checkout, 'packages', name);
    for (const part of ['package.json', 'dist', 'bin', 'skill', 'migrations', 'node_modules']) {
      if (existsSync(join(from, part))) cpSync(join(from, part), join(to, 'packages', name, part), { recursive: true, dereference: true });
    }
  }
  cpSync(join(checkout, 'profiles'), join(to, 'profiles'), { recursive: true });
  mkdirSync(join(to, 'node_modules', '@codex-team'), { recursive: true });
  for (const entry of readdirSync(join(checkout, 'node_modules'))) {
    if (entry === '@codex-team' || entry === '.bin') continue;
    symlinkSync(join(checkout, 'node_modules', entry), join(to, 'node_modules', entry));
  }
  for (const name of readdirSync(join(to, 'packages'))) {
    symlinkSync(join('..', '..', 'packages', name), join(to, 'node_modules', '@codex-team', name));
  }
  return join(to, 'packages', 'cli', 'dist', 'bin.js');
}

describe('codex-team install: a runtime of its own', () => {
  it('keeps Codex working after the checkout it was installed from is moved away and deleted', async () => {
    const clone = join(root, 'clone');
    const cloneCli = copyCheckout(clone);
    const starts: string[] = [];
    await scripted((info) =>
      (function* (): AgentProgram {
        if (info.userTexts.some((text) => text.includes('typo'))) return 'Fixed the typo in README.';
        starts.push(TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'after the move' })).json).team.name);
        return 'team started';
      })(),
    );
    const installed = run(cloneCli, ['install', '--hooks']);
    expect(installed.stderr).toBe('');
    expect(installed.status).toBe(0);
    const config = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    expect(config).not.toContain(clone);
    expect(readFileSync(join(codexHome, 'hooks.json'), 'utf8')).not.toContain(clone);
    expect(config).toContain(join(homeDir, '.codex-team', 'versions'));

    // Move the checkout away, then delete it: nothing Codex runs was in it.
    const moved = join(root, 'moved');
    cpSync(clone, moved, { recursive: true, verbatimSymlinks: true });
    rmSync(clone, { recursive: true, force: true });
    rmSync(moved, { recursive: true, force: true });

    const workspace = join(root, 'project');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'README.md'), 'Teh project\n');
    const unrelated = await runCodexExec({ codexHome, homeDir, cwd: workspace, prompt: 'fix the typo in README', timeoutMs: 60_000 });
    expect(unrelated.stderr).not.toContain('required MCP servers failed to initialize');
    expect(unrelated.exitCode).toBe(0);
    expect(unrelated.stdout).toContain('Fixed the typo in README.');
    // The server Codex started is the installed runtime, and it works.
    const team = await runCodexExec({ codexHome, homeDir, cwd: workspace, prompt: 'start a team', timeoutMs: 60_000 });
    expect(team.exitCode).toBe(0);
    expect(starts).toEqual(['after the move']);
    expect(responses?.errors).toEqual([]);
    // And doctor, from this checkout, finds everything in place except the hooks the user has not reviewed.
    const doctor = run(builtCliBin(), ['doctor']);
    expect(doctor.stdout).toMatch(/^ok {4}server-start +answers the MCP handshake with \d+ tools, and its store is open$/m);
    expect(doctor.stdout).toContain('2 of 12 checks failed');
    expect(doctor.stdout.match(/^FAIL .*$/gm)).toEqual([expect.stringMatching(/^FAIL {2}hook Stop +untrusted/), expect.stringMatching(/^FAIL {2}hook SubagentStop +untrusted/)]);
  });

  it('installs two names side by side; uninstalling one keeps the other, which doctor passes', async () => {
    await scripted(() => answerOnly('ok'));
    expect(run(builtCliBin(), ['install']).status).toBe(0);
    const crew = run(builtCliBin(), ['install', '--name', 'crew', '--db', join(root, 'crew.db')]);
    expect(crew.status).toBe(0);
    expect(crew.stdout).toContain('(the model sees the tools as mcp__crew)');
    expect(readFileSync(join(codexHome, 'skills', 'codex-team-crew', 'SKILL.md'), 'utf8')).toContain('mcp__crew tools');

    const removed = run(builtCliBin(), ['uninstall']);
    expect(removed.status).toBe(0);
    expect(existsSync(join(codexHome, 'skills', 'codex-team'))).toBe(false);
    const doctor = run(builtCliBin(), ['doctor', '--name', 'crew']);
    expect(doctor.stdout).toContain('all checks passed');
    expect(doctor.stdout).toMatch(/^ok {4}skill +.*codex-team-crew\/SKILL\.md \(names mcp__crew\)$/m);
    expect(doctor.status).toBe(0);
    expect(run(builtCliBin(), ['doctor']).status).toBe(1);
    // Codex itself starts the remaining server: a session runs with it.
    const workspace = join(root, 'w');
    mkdirSync(workspace);
    expect((await runCodexExec({ codexHome, homeDir, cwd: workspace, prompt: 'hello', timeoutMs: 60_000 })).exitCode).toBe(0);
  });

  it("installs into a project's own Codex layer with a store of its own, used by Codex once the project is trusted", async () => {
    const project = join(root, 'repo');
    mkdirSync(project);
    const teams: string[] = [];
    await scripted(() =>
      (function* (): AgentProgram {
        teams.push(TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'project team' })).json).team.id);
        return 'started';
      })(),
    );
    const installed = run(builtCliBin(), ['install', '--project', project]);
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain(`project: ${project} is not trusted`);
    expect(existsSync(join(project, '.codex', 'config.toml'))).toBe(true);
    expect(existsSync(join(project, '.codex', 'skills', 'codex-team', 'SKILL.md'))).toBe(true);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).not.toContain('mcp_servers');
    const store = /store: +(\S+)/.exec(installed.stdout)?.[1] ?? '';
    expect(store).toMatch(new RegExp(`^${join(homeDir, '.codex-team', 'projects')}/repo-[0-9a-f]{10}/team\\.db$`));

    // Untrusted, Codex ignores the project's layer: no server, so a team call is not even offered.
    const untrusted = await runCodexExec({ codexHome, homeDir, cwd: project, prompt: 'start a team', timeoutMs: 60_000 });
    expect(untrusted.exitCode).toBe(0);
    expect(teams).toEqual([]);
    expect(run(builtCliBin(), ['doctor', '--project', project]).stdout).toMatch(/^FAIL {2}project-trust/m);

    // What accepting Codex's trust prompt records (test only: codex-team never writes it).
    writeFileSync(join(codexHome, 'config.toml'), `${readFileSync(join(codexHome, 'config.toml'), 'utf8')}\n[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    const trusted = await runCodexExec({ codexHome, homeDir, cwd: project, prompt: 'start a team', timeoutMs: 60_000 });
    expect(trusted.exitCode).toBe(0);
    expect(teams).toHaveLength(1);
    expect(existsSync(store)).toBe(true);
    const doctor = run(builtCliBin(), ['doctor', '--project', project]);
    expect(doctor.stdout).toContain('all checks passed');

    expect(run(builtCliBin(), ['uninstall', '--project', project]).status).toBe(0);
    expect(existsSync(join(project, '.codex', 'config.toml'))).toBe(false);
  });
});
