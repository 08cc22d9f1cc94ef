import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tomlString } from '../codex/config-block';

/** The `codex` launcher of the `@openai/codex` package (a dev dependency of the workspace). */
export function codexLauncherPath(): string {
  return require.resolve('@openai/codex/bin/codex.js');
}

/**
 * Writes a config.toml that sends every model request to `baseUrl` (a ScriptedResponses
 * endpoint) with no retries and never asks for approval. Top-level keys come first, so
 * `codex-team install` can append its block after it.
 */
export function writeScriptedProviderConfig(codexHome: string, baseUrl: string): string {
  mkdirSync(codexHome, { recursive: true });
  const path = join(codexHome, 'config.toml');
  writeFileSync(
    path,
    [
      '# Offline test setup: the model is a scripted endpoint on loopback.',
      'model_provider = "scripted"',
      'model = "scripted-model"',
      'approval_policy = "never"',
      'sandbox_mode = "read-only"',
      '',
      '[model_providers.scripted]',
      'name = "scripted"',
      `base_url = ${tomlString(baseUrl)}`,
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
  return path;
}

export interface CodexRunOptions {
  /** The Codex home (`CODEX_HOME`). */
  codexHome: string;
  /** HOME for Codex and everything it starts; a temp folder keeps the user's own out of reach. */
  homeDir: string;
  /** The working directory of the session. */
  cwd: string;
  /** Arguments after `codex`, e.g. `['exec', '--skip-git-repo-check', 'prompt']`. */
  args: readonly string[];
  /** The run is killed after this long. @default 60000 */
  timeoutMs?: number;
  /** Variables added to the minimal environment, e.g. the bearer token a `url` entry names. */
  env?: Readonly<Record<string, string>>;
}

export interface CodexRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/**
 * Runs the real Codex CLI with a minimal environment (HOME, PATH, LANG, CODEX_HOME): no API key,
 * no proxy settings, nothing of the calling shell. Stdin is closed, so `codex exec` reads no
 * extra prompt from it.
 */
export function runCodex(options: CodexRunOptions): Promise<CodexRunResult> {
  const started = Date.now();
  const env: Record<string, string> = {
    HOME: options.homeDir,
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    CODEX_HOME: options.codexHome,
    NO_COLOR: '1',
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [codexLauncherPath(), ...options.args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

/**
 * `codex exec --strict-config --skip-git-repo-check PROMPT` (plus any extra flags before the
 * prompt). Strict config makes Codex refuse any key of the installed block it does not know, so
 * every real-Codex run also proves `codex-team install` writes a config Codex fully understands.
 */
export function runCodexExec(
  options: Omit<CodexRunOptions, 'args'> & { prompt: string; extraArgs?: readonly string[] },
): Promise<CodexRunResult> {
  return runCodex({ ...options, args: ['exec', '--strict-config', '--skip-git-repo-check', ...(options.extraArgs ?? []), options.prompt] });
}
