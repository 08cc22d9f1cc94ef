import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { TeamError, fileAccessError } from '@codex-team/contracts';
import { makeDirectory } from '@codex-team/store';
import { findBlock, insertBlock, isUrlEntry, removeBlock, type McpEntry } from './config-block';

// Why a TOML parser: a `[mcp_servers.team]` table can be spelled many ways (quoted keys, dotted
// keys at the root, an inline `mcp_servers = { ... }`), and appending to a file whose TOML we did
// not check could leave Codex unable to start. smol-toml (zero dependencies, TOML 1.0 compliant)
// only reads: we never re-serialize the user's file, so comments and layout stay as they were.

/** The `[mcp_servers.<name>]` entry as Codex will read it. */
export interface ConfiguredServer {
  command: unknown;
  args: unknown;
  /** Whether the entry sits inside codex-team's managed block. */
  managed: boolean;
  raw: Record<string, unknown>;
}

/** The file's text, or undefined when it does not exist. */
export function readText(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileAccessError('read', path, error);
  }
}

function parseToml(text: string, path: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new TeamError('INVALID_INPUT', `${path} is not valid TOML (line ${error.line}, column ${error.column}): ${error.message.split('\n')[0] ?? ''}`);
    }
    throw error;
  }
}

function serverTable(doc: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const servers = doc['mcp_servers'];
  if (typeof servers !== 'object' || servers === null || !Object.hasOwn(servers, name)) return undefined;
  const entry = (servers as Record<string, unknown>)[name];
  return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : { value: entry };
}

/** Writes next to the target then renames, keeping the old file's permissions (it may hold tokens). */
export function writeAtomically(path: string, text: string): void {
  makeDirectory(dirname(path));
  const temp = join(dirname(path), `.${basename(path)}.codex-team-${process.pid}.tmp`);
  try {
    const mode = existsSync(path) ? statSync(path).mode & 0o777 : undefined;
    writeFileSync(temp, text, { encoding: 'utf8', mode: mode ?? 0o644 });
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw fileAccessError('write', path, error);
  }
}

/**
 * Registers `[mcp_servers.<name>]` in Codex's config.toml inside a marker-delimited block, leaving
 * every other byte as it was. Rerunning with the same entry writes nothing; with another entry it
 * rewrites the block in place. Refuses, changing nothing, with INVALID_INPUT when the file is not
 * valid TOML and CONFLICT when a `[mcp_servers.<name>]` exists that codex-team did not write.
 * Returns whether the file changed.
 */
export function installServerEntry(configPath: string, name: string, entry: McpEntry): boolean {
  const text = readText(configPath) ?? '';
  const outside = removeBlock(text, name) ?? text;
  if (serverTable(parseToml(outside, configPath), name) !== undefined) {
    throw new TeamError(
      'CONFLICT',
      `${configPath} already has an [mcp_servers.${name}] entry that codex-team did not write; ` +
        `remove it (codex mcp remove ${name}) or install under another name with --name`,
      { config: configPath, server: name },
    );
  }
  const next = insertBlock(text, name, entry);
  let written: Record<string, unknown> | undefined;
  try {
    written = serverTable(parse(next) as Record<string, unknown>, name);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TeamError('CONFLICT', `cannot add [mcp_servers.${name}] to ${configPath} without breaking it: ${reason}`, {
      config: configPath,
    });
  }
  if (isUrlEntry(entry) ? written?.['url'] !== entry.url : written?.['command'] !== entry.command) {
    throw new TeamError('CONFLICT', `cannot add [mcp_servers.${name}] to ${configPath}: the file's layout changes its meaning`);
  }
  if (next === text) return false;
  writeAtomically(configPath, next);
  return true;
}

/**
 * Removes the block `installServerEntry` wrote, restoring the file byte for byte when nothing else
 * changed; a config left empty is deleted (install created it, or it held nothing). Returns
 * whether anything was removed.
 */
export function uninstallServerEntry(configPath: string, name: string): boolean {
  const text = readText(configPath);
  if (text === undefined) return false;
  const next = removeBlock(text, name);
  if (next === undefined) return false;
  if (next === '') rmSync(configPath);
  else writeAtomically(configPath, next);
  return true;
}

/** A Codex config.toml parsed (read only), or an empty table when it does not exist. */
export function readCodexConfig(configPath: string): Record<string, unknown> {
  const text = readText(configPath);
  return text === undefined ? {} : parseToml(text, configPath);
}

/** The `[mcp_servers.<name>]` entry of a config, or undefined when the file or the entry is missing. */
export function readServerEntry(configPath: string, name: string): ConfiguredServer | undefined {
  const text = readText(configPath);
  if (text === undefined) return undefined;
  const table = serverTable(parseToml(text, configPath), name);
  if (table === undefined) return undefined;
  const block = findBlock(text, name);
  const outside = block === undefined ? text : text.slice(0, block.start) + text.slice(block.end);
  return {
    command: table['command'],
    args: table['args'],
    managed: block !== undefined && serverTable(parseToml(outside, configPath), name) === undefined,
    raw: table,
  };
}
