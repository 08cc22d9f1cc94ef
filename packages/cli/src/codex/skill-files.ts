import { existsSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileAccessError } from '@codex-team/contracts';
import { makeDirectory } from '@codex-team/store';

/**
 * The skill of one install, from the shipped one: its `name:` and every `mcp__team` become this
 * install's (`codex-team-<name>`, `mcp__<name>`), so the model calls the server it was given.
 */
export function renderSkill(template: string, serverName: string, skillName: string): string {
  return template.replace(/^name: codex-team$/m, `name: ${skillName}`).replace(/\bmcp__team\b/g, `mcp__${serverName}`);
}

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
 * Removes the skill when it is this install's (any version: its `name:` line is `skillName`), and
 * its folder when that is then empty. A file there with another `name:` is left alone. Returns
 * whether it removed the file.
 */
export function uninstallSkill(path: string, skillName: string): boolean {
  if (!existsSync(path)) return false;
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (!lines.some((line) => /^name:\s*(\S+)\s*$/.exec(line)?.[1] === skillName)) return false;
  rmSync(path);
  const dir = dirname(path);
  if (readdirSync(dir).length === 0) rmdirSync(dir);
  return true;
}
