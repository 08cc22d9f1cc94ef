import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { mcpServerModuleDir } from '@codex-team/mcp-server';

/**
 * The root of a package: the nearest folder above `from` holding a package.json named `name`.
 * Works from `src/` under ts-jest, from a built `dist/` and from an installed package alike.
 */
export function packageRoot(from: string, name: string): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === name) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new TeamError('INTERNAL', `no package.json of ${name} above ${from}`);
    dir = parent;
  }
}

/** The skill shipped with this package (`packages/cli/skill/SKILL.md`). */
export function shippedSkillPath(): string {
  return join(packageRoot(__dirname, '@codex-team/cli'), 'skill', 'SKILL.md');
}

/** The shipped skill's text. */
export function readShippedSkill(): string {
  return readFileSync(shippedSkillPath(), 'utf8');
}

/**
 * The absolute path of the `codex-team-mcp` binary (its package's `bin` entry), in the copy of
 * the package this CLI loads, so it is the server this CLI was installed with; the file exists
 * only once that package is built.
 */
export function mcpServerBinPath(): string {
  const root = packageRoot(mcpServerModuleDir(), '@codex-team/mcp-server');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  const bin = manifest.bin?.['codex-team-mcp'];
  if (bin === undefined) throw new TeamError('INTERNAL', `@codex-team/mcp-server has no codex-team-mcp bin entry`);
  return join(root, bin);
}
