import { existsSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileAccessError } from '@codex-team/contracts';
import { makeDirectory } from '@codex-team/store';

/** The skill's `name:` line; a SKILL.md carrying it at that path is ours to replace or remove. */
const OWN_NAME_LINE = /^name:\s*codex-team\s*$/m;

/** Writes the skill; returns whether the file changed. */
export function installSkill(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  makeDirectory(dirname(path));
  try {
    writeFileSync(path, text, 'utf8');
  } catch (error) {
    throw fileAccessError('write the skill to', path, error);
  }
  return true;
}

/**
 * Removes the skill when it is codex-team's (any version), and its folder when that is then
 * empty. A file there with another `name:` is left alone. Returns whether it removed the file.
 */
export function uninstallSkill(path: string): boolean {
  if (!existsSync(path) || !OWN_NAME_LINE.test(readFileSync(path, 'utf8'))) return false;
  rmSync(path);
  const dir = dirname(path);
  if (readdirSync(dir).length === 0) rmdirSync(dir);
  return true;
}
