import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODE_TRANSITIONS } from './mode-transitions';
import { MODE_GATES } from './modes';
import { renderModeReference } from './render-modes';

const docsPath = join(__dirname, '../../../docs/modes.md');

describe('docs/modes.md', () => {
  it('is what the policy engine generates (npm run generate), so the docs cannot drift from the gates', () => {
    expect(readFileSync(docsPath, 'utf8')).toBe(renderModeReference());
  });

  it('lists every gate and every edge of the transition table', () => {
    const text = renderModeReference();
    for (const gate of MODE_GATES) expect(text).toContain(`\`${gate.rule}\``);
    for (const edge of MODE_TRANSITIONS) expect(text).toContain(`| ${edge.from} | ${edge.to} | ${edge.allowed ? 'yes' : 'no'} |`);
  });
});
