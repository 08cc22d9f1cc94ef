import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './codex/package-assets';

function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(packageRoot(__dirname, '@codex-team/cli'), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** This CLI's version, from its package.json (`codex-team --version`). */
export const CLI_VERSION = readVersion();
