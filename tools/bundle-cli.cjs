#!/usr/bin/env node
// Bundles the built runtime CLI (packages/cli/dist/runtime-bin.js: `codex-team hook <event>`, which
// Codex runs as a hook at every Stop and SubagentStop) into one file, dist/codex-team.cjs, which
// `codex-team install` copies into its runtime folder beside the server bundle. One file starts
// fast (a hook must answer within a second) and needs nothing of the checkout. better-sqlite3
// stays external (a native addon); install copies it into the runtime folder. The store's
// migrations are copied beside the bundle, where the store looks for them. Run from the package.
'use strict';
const { chmodSync, cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const packageDir = process.cwd();
const outfile = join(packageDir, 'dist', 'codex-team.cjs');

esbuild.buildSync({
  entryPoints: [join(packageDir, 'dist', 'runtime-bin.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['better-sqlite3'],
  // Workspace packages resolve to their built dist/ (the default export condition), never to src.
  conditions: [],
  logLevel: 'warning',
  minify: false,
});
chmodSync(outfile, 0o755);
// The store looks for its migrations beside the running module (as for the server bundle).
const migrations = join(packageDir, 'dist', 'migrations');
rmSync(migrations, { recursive: true, force: true });
cpSync(join(packageDir, '..', 'store', 'migrations'), migrations, { recursive: true });
