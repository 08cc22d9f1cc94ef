#!/usr/bin/env node
// Writes the generated JSON Schemas and docs/tools.md from the built contracts package.
// Run through `npm run generate`, which builds contracts first; reviewers read the diff.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { generatedJsonSchemas, renderToolReference } = require('../packages/contracts/dist/index.js');

const root = path.resolve(__dirname, '..');
const schemaDir = path.join(root, 'packages/contracts/schemas');
fs.rmSync(schemaDir, { recursive: true, force: true });
for (const [file, schema] of Object.entries(generatedJsonSchemas())) {
  const target = path.join(schemaDir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(schema, null, 2) + '\n');
}
fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
fs.writeFileSync(path.join(root, 'docs/tools.md'), renderToolReference());
process.stdout.write(`wrote ${Object.keys(generatedJsonSchemas()).length} schemas and docs/tools.md\n`);
