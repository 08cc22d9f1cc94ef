import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { parseHooksFile, type HookFileSource } from '@codex-team/hooks';

/**
 * Reads the server's hooks file (`--hooks FILE`, Codex's hooks.json shape in JSON or YAML). Its
 * hooks run in the file's directory, so relative commands work. A missing or invalid file is an
 * error the server refuses to start with: serving without the gates an operator configured would
 * let through what they block (a gate fails closed).
 * Throws TeamError `INVALID_INPUT` (every problem listed) or `NOT_FOUND`.
 */
export function loadHooksFile(path: string): HookFileSource {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new TeamError('NOT_FOUND', `hooks file ${absolute} cannot be read: ${(error as Error).message}`, { source: absolute });
  }
  return { config: parseHooksFile(text, absolute), dir: dirname(absolute) };
}
