import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from './codex/package-assets';

// `npx codex-team`, which every hint of ours names, on a checkout after `npm ci && npm run build`:
// npm links workspace bins at `npm ci`, before anything is built, and a build rewrites dist/. The
// bins are therefore committed shims, executable in git, that load the built files.

const cliRoot = packageRoot(__dirname, '@codex-team/cli');
const checkout = dirname(dirname(cliRoot));

describe.each([
  ['codex-team', '@codex-team/cli', 'bin/codex-team.cjs'],
  ['codex-team-mcp', '@codex-team/mcp-server', 'bin/codex-team-mcp.cjs'],
])('the %s bin', (bin, pkg, shim) => {
  const pkgRoot = join(checkout, 'node_modules', ...pkg.split('/'));

  it('is a committed, executable shim, not a build output', () => {
    const manifest = JSON.parse(readFileSync(join(pkgRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(manifest.bin[bin]).toBe(shim);
    const tracked = execFileSync('git', ['ls-files', '-s', shim], { cwd: realpathSync(pkgRoot), encoding: 'utf8' });
    expect(tracked).toMatch(/^100755 /);
    expect(readFileSync(join(pkgRoot, shim), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('is linked into node_modules/.bin and runs after a build', () => {
    const link = join(checkout, 'node_modules', '.bin', bin);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(realpathSync(link)).toBe(realpathSync(join(pkgRoot, shim)));
    expect(statSync(link).mode & 0o111).not.toBe(0);
  });
});

describe('npx codex-team', () => {
  it('prints the usage after npm run build', () => {
    const result = spawnSync('npx', ['--no-install', 'codex-team', '--help'], { cwd: checkout, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: codex-team <command> \[options\]/);
    expect(result.stdout).toContain('  hook ');
  });
});
