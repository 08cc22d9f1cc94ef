// Public API of @codex-team/mcp-server: it is the `codex-team-mcp` binary (src/bin.ts, bundled as
// dist/codex-team-mcp.cjs), and the cli's `codex-team serve --http` runs its HTTP transport. Only
// what another package imports is exported here: the HTTP server, its argument parsing and hooks file for
// `serve`, and where the package lives for `install`. The composition root createServer(deps), its
// harnesses (src/testing/) and its specs stay inside the package.
export { createLogger } from './logger';
export { MAX_REQUEST_BYTES } from './stdio-server';
export { serverArgsFromValues, ServerArgsError, SERVER_OPTIONS } from './server-args';
export { loadHooksFile } from './hooks/load-hooks-file';
export { runHttpServer, DEFAULT_MAX_HTTP_SESSIONS, DEFAULT_HTTP_IDLE_MS } from './http-server';
export { parseListenAddress, generateBearerToken, DEFAULT_HTTP_PORT, MIN_BEARER_TOKEN_LENGTH } from './http-guards';
export { TicketIssuer } from './runtime';
export { mcpServerModuleDir } from './module-dir';
export { startedFromDir } from './started-from';
export type { StartedFrom } from './started-from';
export { findRollout } from './usage/rollout-meter';
