#!/usr/bin/env node
// Writes the generated JSON Schemas and docs/tools.md from the built contracts package,
// docs/permissions.md from the shipped permissions file and docs/modes.md from the mode gates and
// transitions, through the built policy-engine, docs/hierarchy.md from the team tree's table
// (TREE_ACCESS), through the built hierarchy package, and docs/hooks.md from the built hooks package.
// Run through `npm run generate`, which builds both first; reviewers read the diff.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { generatedJsonSchemas, renderToolReference } = require('../packages/contracts/dist/index.js');
const { renderHooksReference } = require('../packages/hooks/dist/index.js');
const {
  ProfileCatalog,
  findBuiltinPermissionsFile,
  loadPermissionPolicy,
  renderModeReference,
  renderPermissionTable,
} = require('../packages/policy-engine/dist/index.js');
const { renderHierarchyReference } = require('../packages/hierarchy/dist/index.js');

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
const permissions = loadPermissionPolicy(findBuiltinPermissionsFile(root));
fs.writeFileSync(path.join(root, 'docs/permissions.md'), renderPermissionTable(permissions));
fs.writeFileSync(path.join(root, 'docs/modes.md'), renderModeReference());
fs.writeFileSync(path.join(root, 'docs/hierarchy.md'), renderHierarchyReference());
const shipped = [...ProfileCatalog.shipped().profiles.values()].map((loaded) => loaded.profile);
fs.writeFileSync(path.join(root, 'docs/hooks.md'), renderHooksReference(shipped));
process.stdout.write(
  `wrote ${Object.keys(generatedJsonSchemas()).length} schemas, docs/tools.md, docs/permissions.md, docs/modes.md, docs/hierarchy.md and docs/hooks.md\n`,
);
