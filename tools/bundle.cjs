#!/usr/bin/env node
// One bundler setting for every codex-team bundle. Run from a package after `tsc`:
//   node ../../tools/bundle.cjs dist/ENTRY.js dist/OUT.cjs
// bundles the built entry (and the workspace packages it loads) into one executable file and
// copies the store's migrations (SQLite's and PostgreSQL's) beside it, where the store looks for
// them (the nearest migrations/0001_initial.sql above the running module), and the built-in
// profiles likewise (dist/profiles, for the packed package, which has no repository root above
// it). The shipped bundles are
// codex-team-mcp.cjs (mcp-server: the binary Codex starts for every agent thread; loading a few
// hundred small modules was most of its cold start, one file loads about a third faster, see
// `npm run bench`, startup) and codex-team.cjs (cli's runtime-bin: `codex-team hook <event>`, which
// must answer within a second). `bundle()` is the same setting for a build of one's own (the hooks
// benchmark's engine-free server), with esbuild options of its own added (plugins).
'use strict';
const { chmodSync, cpSync, rmSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const esbuild = require('esbuild');

/** esbuild's options for a codex-team bundle of `entry` into `outfile`, with `extra` added. */
function bundleOptions(entry, outfile, extra = {}) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // A native addon: install copies it into the runtime folder beside the bundles.
    external: ['better-sqlite3'],
    // Workspace packages resolve to their built dist/ (the default export condition), never to src.
    conditions: [],
    logLevel: 'warning',
    // Kept readable: stack traces in the logs should name real functions.
    minify: false,
    ...extra,
  };
}

/** Bundles `entry` into `outfile` (absolute paths) with the one setting. */
async function bundle(entry, outfile, extra = {}) {
  await esbuild.build(bundleOptions(entry, outfile, extra));
  return outfile;
}

/**
 * Copies the built-in profiles (the repository's profiles/) into `dir` as `dir/profiles`, where
 * `findBuiltinProfilesDir` (the nearest profiles/default.yaml above the running module) finds them
 * in an installed package too: a package ships only what is inside it, and the checkout's
 * profiles/ sits outside every package.
 */
function copyProfiles(dir) {
  const profiles = join(dir, 'profiles');
  rmSync(profiles, { recursive: true, force: true });
  cpSync(join(__dirname, '..', 'profiles'), profiles, { recursive: true });
}

module.exports = { bundle, bundleOptions, copyProfiles };

if (require.main === module) {
  const [entry, out] = process.argv.slice(2);
  if (entry === undefined || out === undefined) {
    process.stderr.write('usage: node tools/bundle.cjs dist/ENTRY.js dist/OUT.cjs (run from a package)\n');
    process.exit(2);
  }
  const packageDir = process.cwd();
  const outfile = resolve(packageDir, out);
  esbuild.buildSync(bundleOptions(resolve(packageDir, entry), outfile));
  chmodSync(outfile, 0o755);
  // Both engines' migrations: a bundled server opens SQLite files and PostgreSQL databases alike.
  for (const folder of ['migrations', 'migrations-pg']) {
    const target = join(dirname(outfile), folder);
    rmSync(target, { recursive: true, force: true });
    cpSync(join(__dirname, '..', 'packages', 'store', folder), target, { recursive: true });
  }
  copyProfiles(dirname(outfile));
}
