import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The README's promise: codex-team runs on Node 20. Some dev tools now ask for Node 22 (npm ci on
// Node 20 prints EBADENGINE warnings for them); nothing codex-team runs with may.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- npm's own range rules, typed to what is used
const semver = require('semver') as { satisfies(version: string, range: string): boolean };

interface LockedPackage {
  dev?: boolean;
  engines?: { node?: string };
}

const lock = JSON.parse(readFileSync(resolve(__dirname, '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

function needingMoreThanNode20(dev: boolean): string[] {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && (entry.dev === true) === dev)
    .flatMap(([path, entry]) => {
      const range = entry.engines?.node;
      return range !== undefined && !semver.satisfies('20.19.0', range) ? [`${path.replace(/^.*node_modules\//, '')} (${range})`] : [];
    });
}

describe('Node versions', () => {
  it('every package codex-team runs with supports Node 20', () => {
    expect(needingMoreThanNode20(false)).toEqual([]);
  });

  it('only these dev tools ask for Node 22 (the README names them)', () => {
    const readme = readFileSync(resolve(__dirname, '..', 'README.md'), 'utf8');
    const devOnly = needingMoreThanNode20(true);
    for (const entry of devOnly) expect(readme).toContain(entry.split(' ')[0]);
  });
});
