import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, type SqliteTeamStore } from '@codex-team/store';
import { packageRoot } from '../codex/package-assets';
import { runCodexExec, writeScriptedProviderConfig, type CodexRunResult } from './codex-exec';
import { ScriptedResponses, type ScriptFactory } from './scripted-responses';

/** A throwaway machine for one real-Codex run: HOME, CODEX_HOME, a workspace and a store file. */
export interface CodexTeamEnv {
  root: string;
  homeDir: string;
  codexHome: string;
  workspace: string;
  dbPath: string;
  responses: ScriptedResponses;
  /** What `codex-team install` printed. */
  installOutput: string;
  /** Runs `codex exec --skip-git-repo-check PROMPT` in the workspace. */
  exec(prompt: string, timeoutMs?: number): Promise<CodexRunResult>;
  /** Opens the store with the store package's API; close it after use. */
  openStore(): Promise<SqliteTeamStore>;
  dispose(): Promise<void>;
}

/** The built `codex-team` binary of this package (integration tests build first). */
export function builtCliBin(): string {
  return join(packageRoot(__dirname, '@codex-team/cli'), 'dist', 'bin.js');
}

/**
 * Prepares a Codex home wired to a scripted model, then registers codex-team in it with the real
 * `codex-team install` binary (so the server entry Codex runs is exactly what users get).
 */
export async function createCodexTeamEnv(factory: ScriptFactory): Promise<CodexTeamEnv> {
  const root = mkdtempSync(join(tmpdir(), 'codex-team-e2e-'));
  const homeDir = join(root, 'home');
  const codexHome = join(homeDir, '.codex');
  const workspace = join(root, 'workspace');
  const dbPath = join(root, 'store', 'team.db');
  mkdirSync(workspace, { recursive: true });
  const responses = await ScriptedResponses.start(factory);
  try {
    writeScriptedProviderConfig(codexHome, responses.baseUrl);
    const installOutput = execFileSync(process.execPath, [builtCliBin(), 'install', '--codex-home', codexHome, '--db', dbPath], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homeDir },
      encoding: 'utf8',
    });
    return {
      root,
      homeDir,
      codexHome,
      workspace,
      dbPath,
      responses,
      installOutput,
      exec: (prompt, timeoutMs = 60_000) => runCodexExec({ codexHome, homeDir, cwd: workspace, prompt, timeoutMs }),
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
