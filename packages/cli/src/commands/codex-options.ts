import { resolve } from 'node:path';
import type { CliIo } from '../cli-io';
import { DEFAULT_SERVER_NAME, checkServerName, projectTarget, resolveCodexHome, userTarget, type CodexTarget } from '../codex/codex-paths';
import type { SurfaceChoice } from '../codex/codex-thread-cap';
import { UsageError } from '../errors';
import { stringOption, type OptionValues, type OptionsConfig } from './command';

/** The options install, uninstall and doctor share: which Codex, which layer, which server name. */
export const CODEX_TARGET_OPTIONS: OptionsConfig = {
  'codex-home': { type: 'string' },
  project: { type: 'string' },
  name: { type: 'string' },
};

export const CODEX_TARGET_DETAILS: readonly string[] = [
  '--codex-home DIR  Codex home (default: $CODEX_HOME, else ~/.codex)',
  '--project DIR     a project\'s own Codex layer (DIR/.codex/) instead of the Codex home',
  `--name NAME       MCP server name; the model sees mcp__NAME (default: ${DEFAULT_SERVER_NAME})`,
];

export interface CodexSelection {
  codexHome: string;
  target: CodexTarget;
  serverName: string;
}

/** Resolves `--codex-home`, `--project` and `--name`. USAGE on a bad name or an empty project. */
export function codexSelection(values: OptionValues, io: CliIo): CodexSelection {
  const codexHome = resolveCodexHome(stringOption(values, 'codex-home'), io);
  const project = stringOption(values, 'project');
  if (project === '') throw new UsageError('--project needs a folder');
  return {
    codexHome,
    target: project === undefined ? userTarget(codexHome) : projectTarget(resolve(io.cwd, project)),
    serverName: checkServerName(stringOption(values, 'name') ?? DEFAULT_SERVER_NAME),
  };
}

/** `--multi-agent auto|v1|v2`. USAGE otherwise. */
export function surfaceChoice(values: OptionValues): SurfaceChoice {
  const value = stringOption(values, 'multi-agent') ?? 'auto';
  if (value !== 'auto' && value !== 'v1' && value !== 'v2') {
    throw new UsageError(`--multi-agent must be auto, v1 or v2, got ${JSON.stringify(value)}`);
  }
  return value;
}
