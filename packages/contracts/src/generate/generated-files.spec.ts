import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { generatedJsonSchemas } from './json-schemas';
import { renderToolReference } from './tool-reference';

const repoRoot = resolve(__dirname, '../../../..');
const schemaDir = join(repoRoot, 'packages/contracts/schemas');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? listFiles(full) : [relative(schemaDir, full)];
  });
}

describe('generated contract files', () => {
  const generated = generatedJsonSchemas();

  it('committed JSON Schemas equal the ones generated from the zod contracts', () => {
    expect(listFiles(schemaDir).sort()).toEqual(Object.keys(generated).sort());
    for (const [file, schema] of Object.entries(generated)) {
      const committed: unknown = JSON.parse(readFileSync(join(schemaDir, file), 'utf8'));
      expect({ file, schema: committed }).toEqual({ file, schema });
    }
  });

  it('docs/tools.md equals the reference generated from the contracts', () => {
    expect(readFileSync(join(repoRoot, 'docs/tools.md'), 'utf8')).toBe(renderToolReference());
  });

  it('every generated schema compiles with the draft 2020-12 validator', () => {
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    for (const [file, schema] of Object.entries(generated)) {
      expect(() => ajv.compile(schema)).not.toThrow();
      expect(file).toMatch(/\.schema\.json$/);
    }
  });
});
