import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { packageRoot } from './package-assets';

/** The MCP server bundle in a runtime folder: what `[mcp_servers.<name>]` runs. */
export const RUNTIME_SERVER_FILE = 'codex-team-mcp.cjs';
/** The CLI bundle in a runtime folder: what the Codex hooks run (`codex-team.cjs hook <event>`). */
export const RUNTIME_CLI_FILE = 'codex-team.cjs';

/** One file or folder copied into a runtime folder, from where this checkout has it. */
interface RuntimePart {
  from: string;
  to: string;
}

/**
 * `name` and the packages it loads (its dependencies, and the optional ones that are installed),
 * each with the folder it is installed in. The store's PostgreSQL connection loads the pg driver by
 * path in a worker thread, outside the bundle, so a runtime folder carries it in node_modules.
 */
function moduleClosure(name: string, from: string): { name: string; dir: string }[] {
  const found = new Map<string, string>();
  const visit = (module: string, parent: string, optional: boolean): void => {
    if (found.has(module)) return;
    let entry: string;
    try {
      entry = require.resolve(module, { paths: [parent] });
    } catch (error) {
      if (optional) return;
      throw error;
    }
    const dir = packageRoot(dirname(entry), module);
    found.set(module, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, dir, true);
  };
  visit(name, from, false);
  return [...found].map(([module, dir]) => ({ name: module, dir }));
}

/** Where the runtime's parts are in this checkout (or installed package), found from this module. */
export function runtimeParts(): RuntimePart[] {
  const serverRoot = packageRoot(dirname(require.resolve('@codex-team/mcp-server')), '@codex-team/mcp-server');
  const cliRoot = packageRoot(__dirname, '@codex-team/cli');
  const storeRoot = packageRoot(dirname(require.resolve('@codex-team/store')), '@codex-team/store');
  const moduleRoot = (name: string, from: string): string => dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
  const sqlite = moduleRoot('better-sqlite3', storeRoot);
  const bindings = moduleRoot('bindings', sqlite);
  const fileUri = moduleRoot('file-uri-to-path', bindings);
  return [
    { from: join(serverRoot, 'dist', RUNTIME_SERVER_FILE), to: RUNTIME_SERVER_FILE },
    { from: join(serverRoot, 'dist', 'migrations'), to: 'migrations' },
    { from: join(serverRoot, 'dist', 'migrations-pg'), to: 'migrations-pg' },
    { from: join(cliRoot, 'dist', RUNTIME_CLI_FILE), to: RUNTIME_CLI_FILE },
    { from: findBuiltinProfilesDir(__dirname), to: 'profiles' },
    { from: join(sqlite, 'package.json'), to: 'node_modules/better-sqlite3/package.json' },
    { from: join(sqlite, 'lib'), to: 'node_modules/better-sqlite3/lib' },
    { from: join(sqlite, 'build', 'Release', 'better_sqlite3.node'), to: 'node_modules/better-sqlite3/build/Release/better_sqlite3.node' },
    { from: bindings, to: 'node_modules/bindings' },
    { from: fileUri, to: 'node_modules/file-uri-to-path' },
    ...moduleClosure('pg', storeRoot).map((module) => ({ from: module.dir, to: `node_modules/${module.name}` })),
  ];
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A name for the runtime made of these parts: the CLI's version and a hash of every byte. */
export function runtimeId(parts: readonly RuntimePart[], version: string): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    for (const file of filesUnder(part.from)) {
      hash.update(`${part.to}/${relative(part.from, file)}\0`);
      hash.update(readFileSync(file));
    }
  }
  return `${version}-${hash.digest('hex').slice(0, 12)}`;
}

export interface RuntimeInstall {
  /** The runtime folder: `<codex-team home>/versions/<version>-<hash>`. */
  dir: string;
  serverBin: string;
  cliBin: string;
  /** False when an identical runtime was already there. */
  changed: boolean;
}

/** The CLI package's version, which prefixes runtime folder names. */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(__dirname, '@codex-team/cli'), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/**
 * Copies the server and hook runtime (bundles, both engines' migrations, built-in profiles, the
 * native SQLite module, the PostgreSQL driver) into a folder of its own under the codex-team home, named by version and content, so
 * what Codex runs no longer depends on this checkout: moving it, `git clean` or a rebuild cannot
 * break Codex, and an upgrade installs beside the old runtime instead of over it. Written to a
 * temporary folder and renamed into place, so a runtime folder is complete or absent.
 * Throws NOT_FOUND when a part is missing (not built).
 */
export function installRuntime(teamHome: string, parts: readonly RuntimePart[] = runtimeParts(), version = cliVersion()): RuntimeInstall {
  for (const part of parts) {
    if (!existsSync(part.from)) {
      throw new TeamError('NOT_FOUND', `codex-team is not built: ${part.from} is missing (run npm run build)`);
    }
  }
  const versions = join(teamHome, 'versions');
  const dir = join(versions, runtimeId(parts, version));
  const result = { dir, serverBin: join(dir, RUNTIME_SERVER_FILE), cliBin: join(dir, RUNTIME_CLI_FILE) };
  if (existsSync(join(dir, RUNTIME_SERVER_FILE))) return { ...result, changed: false };
  mkdirSync(versions, { recursive: true });
  const temp = join(versions, `.installing-${process.pid}-${Date.now()}`);
  try {
    for (const part of parts) {
      mkdirSync(dirname(join(temp, part.to)), { recursive: true });
      cpSync(part.from, join(temp, part.to), { recursive: true, preserveTimestamps: true });
    }
    renameSync(temp, dir);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    // Another install may have renamed the same runtime into place first: that one is as good.
    if (existsSync(join(dir, RUNTIME_SERVER_FILE))) return { ...result, changed: false };
    throw error;
  }
  return { ...result, changed: true };
}
