import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from './codex/package-assets';
import { COMMANDS } from './commands/index';

const ROOT = resolve(packageRoot(__dirname, '@codex-team/cli'), '..', '..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => join('docs', file))];

/** The relative link targets of a Markdown file: `[text](target)` without a scheme or an anchor only. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');
}

describe('the README and docs', () => {
  it.each(DOCS)('%s links only to files inside the repository that exist', (file) => {
    for (const target of relativeLinks(file)) {
      const path = resolve(ROOT, dirname(file), target);
      expect({ target, inside: !relative(ROOT, path).startsWith('..') }).toEqual({ target, inside: true });
      expect({ target, exists: existsSync(path) }).toEqual({ target, exists: true });
    }
  });

  it('show every codex-team verb', () => {
    const text = `${readFileSync(join(ROOT, 'README.md'), 'utf8')}\n${readFileSync(join(ROOT, 'docs', 'operator.md'), 'utf8')}`;
    const missing = COMMANDS.map((command) => command.name).filter((name) => !new RegExp(`(codex-team|bin\\.js) ${name}\\b|\`${name}\\b`).test(text));
    expect(missing).toEqual([]);
  });
});
