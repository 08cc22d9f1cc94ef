import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The README's first command is `npm ci`, which refuses to install when a package.json asks for a
// dependency the lock file does not record. A workspace package's dependencies are recorded twice:
// in its package.json and in the lock's `packages/<name>` entry; this keeps the two equal, so a
// dependency added without `npm install` fails here rather than on a fresh clone.

type Dependencies = Record<string, string>;
interface Manifest {
  dependencies?: Dependencies;
  devDependencies?: Dependencies;
  peerDependencies?: Dependencies;
  optionalDependencies?: Dependencies;
}

const root = resolve(__dirname, '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Manifest> };
const KINDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

function declared(manifest: Manifest | undefined): Record<string, Dependencies> {
  return Object.fromEntries(KINDS.map((kind) => [kind, manifest?.[kind] ?? {}]));
}

describe('package-lock.json', () => {
  const workspaces = ['', ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}`)];

  it.each(workspaces)('records exactly the dependencies %s/package.json declares', (workspace) => {
    const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as Manifest;
    expect(declared(lock.packages[workspace])).toEqual(declared(manifest));
  });
});
