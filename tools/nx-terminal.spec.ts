import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// A newcomer's first interactive `npm run demo` (which runs nx) must not stop at Nx's "Share usage
// data?" prompt: nx.json answers it (`"analytics": false`). Nx asks only in a terminal, so this
// runs nx under a pseudo-terminal (`script`, util-linux).

const root = resolve(__dirname, '..');

describe('nx in a terminal', () => {
  it('answers the usage-data question in nx.json', () => {
    expect((JSON.parse(readFileSync(resolve(root, 'nx.json'), 'utf8')) as { analytics?: unknown }).analytics).toBe(false);
  });

  it('runs without asking anything', () => {
    const run = spawnSync('script', ['-qec', 'npx nx show projects', '/dev/null'], { cwd: root, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).not.toMatch(/usage data|analytics/i);
    expect(output).toContain('cli');
    expect(run.status).toBe(0);
  });
});
