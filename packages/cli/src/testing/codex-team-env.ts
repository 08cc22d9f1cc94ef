import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';
import { tomlString } from '../codex/config-block';
import { packageRoot } from '../codex/package-assets';
import { runCodexExec, writeScriptedProviderConfig, type CodexRunResult } from './codex-exec';
import { ScriptedResponses, type ScriptFactory, type UsageFactory } from './scripted-responses';

/** Codex's two multi-agent surfaces (FACTS: 0.171): v1 `multi_agent_v1`, v2 `collaboration`. */
export type Surface = 'v1' | 'v2';

/** A throwaway machine for one real-Codex run: HOME, CODEX_HOME, a workspace and a store file. */
export interface CodexTeamEnv {
  root: string;
  homeDir: string;
  codexHome: string;
  /** The codex-team home (`CODEX_TEAM_HOME` of install): runtimes and hook logs. */
  teamHome: string;
  workspace: string;
  dbPath: string;
  surface: Surface;
  responses: ScriptedResponses;
  /** What `codex-team install` printed. */
  installOutput: string;
  /** Runs `codex exec --skip-git-repo-check PROMPT` in the workspace (plus `extraArgs` before the prompt). */
  exec(prompt: string, options?: { timeoutMs?: number; extraArgs?: readonly string[] }): Promise<CodexRunResult>;
  /** Opens the store with the store package's API; close it after use. */
  openStore(): Promise<SqliteTeamStore>;
  dispose(): Promise<void>;
}

export interface CodexTeamEnvOptions {
  /** Which multi-agent surface Codex offers the lead. @default 'v1' */
  surface?: Surface;
  /** v2 only: `[features.multi_agent_v2] max_concurrent_threads_per_session` (lead included). @default Codex's, 4 */
  threadsPerSession?: number;
  /** More config.toml text, written before install (it reads the cap from it). */
  extraConfig?: string;
  /** More `codex-team install` flags, e.g. `--hooks`. */
  installArgs?: readonly string[];
  /** More `codex-team-mcp` flags, appended to the installed entry (e.g. shorter recovery numbers). */
  serverArgs?: readonly string[];
  /** The token usage each scripted response reports. @default the tokens the endpoint counts (countTokens) */
  usage?: UsageFactory;
  /** Variables for the installed server, written as `[mcp_servers.team.env]` (Codex passes no others). */
  serverEnv?: Readonly<Record<string, string>>;
}

/** The built `codex-team` binary of this package (integration tests build first). */
export function builtCliBin(): string {
  return join(packageRoot(__dirname, '@codex-team/cli'), 'dist', 'bin.js');
}

/** The config text that selects a multi-agent surface: v2 on (with its thread cap), or v2 explicitly off. */
export function surfaceConfig(surface: Surface, threadsPerSession?: number): string {
  if (surface === 'v2' && threadsPerSession !== undefined) {
    return `[features.multi_agent_v2]\nenabled = true\nmax_concurrent_threads_per_session = ${threadsPerSession}\n`;
  }
  return `[features]\nmulti_agent_v2 = ${surface === 'v2' ? 'true' : 'false'}\n`;
}

/**
 * Prepares a Codex home wired to a scripted model, then registers codex-team in it with the real
 * `codex-team install` binary (so the server entry Codex runs is exactly what users get).
 */
export async function createCodexTeamEnv(factory: ScriptFactory, options: CodexTeamEnvOptions = {}): Promise<CodexTeamEnv> {
  const surface = options.surface ?? 'v1';
  const root = mkdtempSync(join(tmpdir(), 'codex-team-e2e-'));
  const homeDir = join(root, 'home');
  const codexHome = join(homeDir, '.codex');
  const teamHome = join(homeDir, '.codex-team');
  const workspace = join(root, 'workspace');
  const dbPath = join(root, 'store', 'team.db');
  mkdirSync(workspace, { recursive: true });
  const responses = await ScriptedResponses.start(factory, options.usage);
  try {
    const configPath = writeScriptedProviderConfig(codexHome, responses.baseUrl);
    appendFileSync(configPath, `${surfaceConfig(surface, options.threadsPerSession)}${options.extraConfig ?? ''}`);
    const installOutput = execFileSync(
      process.execPath,
      [builtCliBin(), 'install', '--codex-home', codexHome, '--db', dbPath, ...(options.installArgs ?? [])],
      { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir }, encoding: 'utf8' },
    );
    if (options.serverArgs !== undefined && options.serverArgs.length > 0) {
      // Test-only: shorter recovery numbers for the installed server (install has no flags for them).
      const extra = options.serverArgs.map((arg) => JSON.stringify(arg)).join(', ');
      const config = readFileSync(configPath, 'utf8');
      writeFileSync(configPath, config.replace(/^(args = \[.*)\]$/m, `$1, ${extra}]`));
    }
    if (options.serverEnv !== undefined && Object.keys(options.serverEnv).length > 0) {
      // Test-only, e.g. CODEX_TEAM_TEST_FAULTS: a sub-table after install's block.
      const lines = Object.entries(options.serverEnv).map(([key, value]) => `${key} = ${tomlString(value)}`);
      appendFileSync(configPath, `\n[mcp_servers.team.env]\n${lines.join('\n')}\n`);
    }
    return {
      root,
      homeDir,
      codexHome,
      teamHome,
      workspace,
      dbPath,
      surface,
      responses,
      installOutput,
      exec: (prompt, run = {}) =>
        runCodexExec({
          codexHome,
          homeDir,
          cwd: workspace,
          prompt,
          timeoutMs: run.timeoutMs ?? 60_000,
          ...(run.extraArgs === undefined ? {} : { extraArgs: run.extraArgs }),
        }),
      openStore: () => openSqliteTeamStore({ path: dbPath, clock: { now: () => Date.now() }, ids: new SequentialIdGenerator() }),
      dispose: async () => {
        await responses.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await responses.close();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
