#!/usr/bin/env node
// Bundles the built codex-team-mcp (packages/mcp-server/dist/bin.js and the workspace packages it
// loads) into one file, dist/codex-team-mcp.cjs, the binary Codex starts for every agent thread.
// Why: resolving and loading a few hundred small modules was most of the server's cold start (see
// `npm run bench`, startup); one file loads about a third faster. better-sqlite3 stays external
// (a native addon). The store's migrations are copied beside the bundle, where the store looks for
// them (the nearest migrations/0001_initial.sql above the running module). Run from the package.
'use strict';
const { chmodSync, cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const packageDir = process.cwd();
const outfile = join(packageDir, 'dist', 'codex-team-mcp.cjs');

esbuild.buildSync({
  entryPoints: [join(packageDir, 'dist', 'bin.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['better-sqlite3'],
  // Workspace packages resolve to their built dist/ (the default export condition), never to src.
  conditions: [],
  logLevel: 'warning',
  // Kept readable: stack traces in the server's logs should name real functions.
  minify: false,
});
chmodSync(outfile, 0o755);
const migrations = join(packageDir, 'dist', 'migrations');
rmSync(migrations, { recursive: true, force: true });
cpSync(join(packageDir, '..', 'store', 'migrations'), migrations, { recursive: true });
