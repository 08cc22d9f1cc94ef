import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProfileCatalog } from '@codex-team/policy-engine';
import { renderHooksReference } from './render-hooks';

const repoRoot = resolve(__dirname, '../../..');

describe('docs/hooks.md', () => {
  it('equals the reference generated from the hook events, the contract and the shipped profiles', () => {
    const shipped = [...ProfileCatalog.shipped().profiles.values()].map((loaded) => loaded.profile);
    expect(readFileSync(join(repoRoot, 'docs/hooks.md'), 'utf8')).toBe(renderHooksReference(shipped));
  });
});
