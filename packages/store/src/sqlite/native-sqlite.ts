import type Database from 'better-sqlite3';

/**
 * better-sqlite3, loaded on first use rather than when the store package is imported. Its native
 * addon fails to load after a Node upgrade (another ABI) or when it was never built; loaded here,
 * that failure is an error of the call that opens a database, which `codex-team-mcp` answers with
 * a clear tool error, instead of a crash of every process that merely imports the store (Codex
 * never restarts an MCP server that dies, and a required one that cannot start stops the session).
 */
export function sqliteDatabase(): typeof Database {
  // A static import would load the addon at import time; this require runs on the first open.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('better-sqlite3') as typeof Database;
}
